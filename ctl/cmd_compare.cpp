// modelvaultctl compare
#include <cstdio>

#include <fmt/format.h>

#include "ctl/command_impl.hpp"
#include "ctl/output.hpp"

namespace mv::ctl {

namespace {

std::string cell(const std::string& key, const json& value) {
    if (value.is_null()) {
        return "-";
    }
    if ((key == "size" || key == "stored") && value.is_number_unsigned()) {
        return format_bytes(value.get<unsigned long long>());
    }
    if (value.is_number_float()) {
        return fmt::format("{:.6g}", value.get<double>());
    }
    return value.is_string() ? value.get<std::string>() : value.dump();
}

// Column titles: the version alone when every column is the same model.
std::vector<std::string> titles(const json& versions) {
    bool one_model = true;
    for (const auto& v : versions) {
        one_model = one_model && v["model"] == versions.front()["model"];
    }
    std::vector<std::string> result = {"", "SECTION", "KEY"};
    for (const auto& v : versions) {
        result.push_back(one_model ? v["version"].get<std::string>()
                                   : v["model"].get<std::string>() + "@" +
                                         v["version"].get<std::string>());
    }
    return result;
}

} // namespace

int run_compare(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 2, 16, "compare MODEL@A MODEL@B [MODEL@C]...");
    json targets = json::array();
    for (const auto& raw : args.positional()) {
        targets.push_back(model_argument(raw));
    }
    return call_and_render(global, "compare", {{"targets", targets}}, [&](const json& r) {
        Table table(titles(r["versions"]));
        for (const auto& row : r["rows"]) {
            const std::string key = row["key"].get<std::string>();
            // '*' marks where the versions differ.
            std::vector<std::string> cells = {row["differs"].get<bool>() ? "*" : "",
                                              row["section"].get<std::string>(), key};
            for (const auto& value : row["values"]) {
                cells.push_back(cell(key, value));
            }
            table.add(cells);
        }
        std::fputs(table.render().c_str(), stdout);
        std::printf("\n* differs; shared by all: %s\n",
                    format_bytes(r["shared_bytes"].get<unsigned long long>()).c_str());
        return k_exit_ok;
    });
}

} // namespace mv::ctl
