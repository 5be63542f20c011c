// modelvaultctl backup MODEL… | --all [--bump major|minor|patch] [--tag T]… [--note TEXT]
#include <cstdio>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ctl/command_impl.hpp"
#include "util/time.hpp"

namespace mv::ctl {

namespace {

json backup_request(const ParsedArgs& args) {
    const bool all = args.has("all");
    if (all == !args.positional().empty()) {
        throw UsageError("backup: name the models to back up, or use --all (not both)");
    }
    json request = {{"all", all}};
    json models = json::array();
    for (const auto& model : args.positional()) {
        models.push_back(model_argument(model));
    }
    request["models"] = models;
    if (auto bump = args.value("bump")) {
        if (*bump != "major" && *bump != "minor" && *bump != "patch") {
            throw UsageError(
                fmt::format("backup: --bump must be major, minor or patch, not \"{}\"", *bump));
        }
        request["bump"] = *bump;
    }
    request["tags"] = args.values("tag");
    if (auto note = args.value("note")) {
        request["note"] = *note;
    }
    return request;
}

// One model's outcome for humans; false when it failed or its note could not be attached.
bool print_model_outcome(const json& r, const std::vector<std::string>& tags) {
    const std::string status = r["status"].get<std::string>();
    const std::string model = r["model"].get<std::string>();
    if (status == "committed") {
        const json& s = r["summary"];
        std::printf("%s %s (%s, %s)\n", model.c_str(), r["version"].get<std::string>().c_str(),
                    s["bump"].get<std::string>().c_str(),
                    format_bytes(s["size"].get<unsigned long long>()).c_str());
        return true;
    }
    if (status == "unchanged") {
        // Tags given for content already stored label the version that holds it.
        std::printf("%s unchanged, same as %s%s\n", model.c_str(),
                    r["version"].get<std::string>().c_str(),
                    tags.empty() ? "" : fmt::format(" (tagged {})", fmt::join(tags, ", ")).c_str());
        // So does a note: the answer says where it went.
        if (r.contains("note_attached")) {
            std::printf("%s note attached to %s\n", model.c_str(),
                        r["note_attached"].get<std::string>().c_str());
        } else if (r.contains("note_error")) {
            std::fprintf(stderr, "%s: %s\n", model.c_str(),
                         r["note_error"].get<std::string>().c_str());
            return false;
        }
        return true;
    }
    std::fprintf(status == "failed" ? stderr : stdout, "%s %s: %s\n", model.c_str(), status.c_str(),
                 r.value("message", "").c_str());
    return status != "failed";
}

// Every model's outcome for humans; failure when any model failed.
int print_outcomes(const json& result, const std::vector<std::string>& tags) {
    int exit_code = k_exit_ok;
    for (const auto& r : result["results"]) {
        if (!print_model_outcome(r, tags)) {
            exit_code = k_exit_failure;
        }
    }
    if (result["results"].empty()) {
        std::puts("nothing to back up: no model files in the watched folders");
    }
    return exit_code;
}

} // namespace

int run_backup(const GlobalOptions& global, const ParsedArgs& args) {
    const auto tags = args.values("tag");
    const Rendering rendering{
        [&](const json& result) { return print_outcomes(result, tags); },
        {},
        [](const json& result) { return exit_code_of_rows(result["results"]); }};
    const Call call{"backup", backup_request(args), [](const json& p) {
                        return ProgressStep{p.value("model", ""), p.value("bytes", 0ull), 0};
                    }};
    return call_and_render(global, call, rendering);
}

} // namespace mv::ctl
