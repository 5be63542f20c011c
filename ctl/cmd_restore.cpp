// modelvaultctl restore MODEL[@SEL] --to DIR [--force]
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

// What to do about a refused extraction, in restore's terms.
Error with_advice(const Error& e) {
    if (dynamic_cast<const vault::TargetNotWritable*>(&e) != nullptr) {
        return Error(std::string(e.what()) + "; choose a folder of yours with --to", e.code());
    }
    if (e.code() == ErrorCode::conflict) {
        return Error(std::string(e.what()) +
                         ". Use --force to replace regular files, or restore into another folder "
                         "with --to",
                     e.code());
    }
    return e;
}

} // namespace

int run_restore(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 1, 1,
                      "restore MODEL[@SEL] --to DIR [--force] [--compatible-with FILE] "
                      "[--replica NAME]");
    const auto to = args.value("to");
    if (!to || to->empty()) {
        throw UsageError("restore: say where with --to DIR (the folder is created if needed)");
    }
    if (const auto replica = args.value("replica")) {
        return restore_replica(global, args, *replica);
    }
    json extra = json::object();
    if (const auto file = args.value("compatible-with")) {
        extra["compatible_with"] = run_compat_argument(*file);
    }
    // `to` is for the audit log and the on_restore hook: the daemon writes nothing there.
    extra["to"] = escape_name(std::filesystem::absolute(*to).lexically_normal().string());
    extra["client_checks_files"] = true; // extract_verified checks every file's SHA-256
    ProgressBar bar(global.progress && !global.json && ProgressBar::stderr_is_terminal());
    std::string label;
    std::uint64_t total = 0;
    vault::ExtractResult result;
    // The files are written here, as the user who runs this, each checked against the
    // SHA-256 in the stream's manifest before it is renamed into place.
    const auto outcome = stream_version(
        global, model_argument(args.positional()[0]), "all",
        [&](UniqueFd stream) {
            try {
                result = vault::extract_verified(
                    std::move(stream), std::nullopt, *to,
                    args.has("force") ? vault::Overwrite::yes : vault::Overwrite::no,
                    [&](std::uint64_t done) { bar.update(label, done, total); },
                    vault::Members::all,
                    [&](const vault::Manifest& m) {
                        label = fmt::format("{} {}", m.model, m.version.to_string());
                        total = m.total_size();
                    });
            } catch (const Error& e) {
                throw with_advice(e);
            }
        },
        extra);
    bar.finish();
    if (const int failed = report_stream_failure(global, outcome); failed >= 0) {
        return failed;
    }
    const vault::Manifest& manifest = result.manifest;
    json files = json::array();
    for (const auto& path : result.files) {
        files.push_back(escape_name(path.string()));
    }
    if (global.json) {
        print_json({{"model", manifest.model},
                    {"version", manifest.version.to_string()},
                    {"directory", escape_name(*to)},
                    {"files", files},
                    {"bytes", result.bytes},
                    {"verified", true}});
        return k_exit_ok;
    }
    std::printf("restored %s %s into %s (%zu file%s, %s, SHA-256 verified):\n",
                manifest.model.c_str(), manifest.version.to_string().c_str(),
                escape_name(*to).c_str(), result.files.size(), result.files.size() == 1 ? "" : "s",
                format_bytes(result.bytes).c_str());
    for (const auto& file : files) {
        std::printf("  %s\n", file.get<std::string>().c_str());
    }
    return k_exit_ok;
}

} // namespace mv::ctl
