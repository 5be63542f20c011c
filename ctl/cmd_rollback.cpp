// modelvaultctl rollback MODEL@SEL [--force]
#include <cstdio>

#include <fmt/format.h>

#include "ctl/command_impl.hpp"
#include "ctl/progress.hpp"
#include "ctl/stream.hpp"
#include "util/escape.hpp"
#include "util/time.hpp"
#include "vault/extract.hpp"

namespace mv::ctl {

namespace {

// What to do about a refused rollback: it has no --to (restore has).
Error with_advice(const Error& e, const std::string& target) {
    if (dynamic_cast<const vault::TargetNotWritable*>(&e) != nullptr) {
        return Error(fmt::format("{}; a rollback writes as you, so run it as a user who may write "
                                 "there (the folder's owner), or put the version in a folder of "
                                 "yours with `modelvaultctl restore {} --to DIR`",
                                 e.what(), target),
                     e.code());
    }
    if (e.code() == ErrorCode::conflict) {
        return Error(fmt::format("{}; a rollback replaces regular files only: move it out of the "
                                 "way and roll back again",
                                 e.what()),
                     e.code());
    }
    return e;
}

} // namespace

int run_rollback(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 1, 1, "rollback MODEL@SEL [--force]");
    const std::string target = model_argument(args.positional()[0]);
    if (target.find('@') == std::string::npos) {
        throw UsageError("rollback: say which version with MODEL@SEL, e.g. lab/dqn.pkl@1.4.2 or "
                         "lab/dqn.pkl@best");
    }
    auto client = ipc::Client::connect(global.socket);
    auto reply = client.call("rollback", {{"target", target}, {"force", args.has("force")}});
    if (!reply.ok()) {
        return report_error(global, reply.message);
    }
    const json& r = reply.message["result"];
    auto manifest = vault::manifest_from_json(r["manifest"]);
    if (!manifest) {
        throw Error("modelvaultd sent an unreadable manifest: " + manifest.error(),
                    ErrorCode::corrupt);
    }
    const auto folder =
        value_or_throw(unescape_name(r["folder"].get<std::string>()), "", ErrorCode::internal);
    const std::string from = r["from"].is_null() ? "?" : r["from"].get<std::string>();
    const std::string label = fmt::format("{} {}", manifest->model, manifest->version.to_string());
    // The files go back with this user's rights, each renamed into place only after its
    // SHA-256 matched; sidecars (a shared config.json ...) are left as they are.
    ProgressBar bar(global.progress && !global.json && ProgressBar::stderr_is_terminal());
    vault::ExtractResult result;
    const auto outcome = stream_version(
        global, fmt::format("{}@{}", manifest->model, manifest->version.to_string()), "model",
        [&](UniqueFd stream) {
            try {
                result = vault::extract_verified(
                    std::move(stream), std::nullopt, folder, vault::Overwrite::yes,
                    [&](std::uint64_t done) { bar.update(label, done, manifest->total_size()); },
                    vault::Members::model_only,
                    [&](const vault::Manifest& streamed) {
                        if (streamed.model != manifest->model ||
                            streamed.version != manifest->version) {
                            throw Error("modelvaultd streamed another version than the one to "
                                        "roll back to",
                                        ErrorCode::internal);
                        }
                    });
            } catch (const Error& e) {
                throw with_advice(e, target);
            }
        },
        {{"client_checks_files", true}}); // extract_verified checks every file's SHA-256
    bar.finish();
    if (const int failed = report_stream_failure(global, outcome); failed >= 0) {
        return failed;
    }
    const auto done = client.call(
        "rollback_done",
        {{"model", manifest->model}, {"version", manifest->version.to_string()}, {"from", from}});
    if (!done.ok()) {
        return report_error(global, done.message);
    }
    json files = json::array();
    for (const auto& path : result.files) {
        files.push_back(escape_name(path.string()));
    }
    if (global.json) {
        print_json({{"model", manifest->model},
                    {"current", manifest->version.to_string()},
                    {"from", from},
                    {"files", files}});
        return k_exit_ok;
    }
    std::printf("%s rolled back to %s (was %s), SHA-256 verified:\n", manifest->model.c_str(),
                manifest->version.to_string().c_str(), from.c_str());
    for (const auto& file : files) {
        std::printf("  %s\n", file.get<std::string>().c_str());
    }
    return k_exit_ok;
}

} // namespace mv::ctl
