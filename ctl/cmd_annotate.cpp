// modelvaultctl note / delete
#include <cstdio>

#include <fmt/format.h>

#include "ctl/command_impl.hpp"
#include "ctl/output.hpp"

namespace mv::ctl {

int run_note(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 2, 2, "note MODEL@SEL TEXT [--tag T]...");
    const auto& p = args.positional();
    const json request = {
        {"target", model_argument(p[0])}, {"text", p[1]}, {"tags", args.values("tag")}};
    return call_and_render(global, "note", request, [](const json& r) {
        std::printf("%s %s: note added (%zu in all)\n", r["model"].get<std::string>().c_str(),
                    r["version"].get<std::string>().c_str(), r["notes"].size());
        return k_exit_ok;
    });
}

int run_delete(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 1, 1, "delete MODEL@SEL [--force]");
    const std::string target = model_argument(args.positional()[0]);
    if (target.find('@') == std::string::npos) {
        // Without @SEL every other command means the latest version; deleting deserves
        // the version named.
        throw UsageError(
            fmt::format("delete: name the version, e.g. {}@1.0.3 or {}@latest", target, target));
    }
    return call_and_render(
        global, "delete", {{"target", target}, {"force", args.has("force")}}, [&](const json& r) {
            for (const auto& warning : r.value("warnings", json::array())) {
                std::fprintf(stderr, "warning: %s\n", warning.get<std::string>().c_str());
            }
            std::printf("%s %s deleted, %s reclaimed\n", r["model"].get<std::string>().c_str(),
                        r["version"].get<std::string>().c_str(),
                        format_bytes(r["reclaimed_bytes"].get<unsigned long long>()).c_str());
            return k_exit_ok;
        });
}

} // namespace mv::ctl
