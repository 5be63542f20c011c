// modelvaultctl export MODEL[@SEL] [-o FILE|-] [--force]: the version as one plain
// archive (manifest.json first, model/, sidecars/, README.md; zstd) that `tar --zstd -xf`
// opens and `modelvaultctl import` takes back. Every file is checked against its
// SHA-256 while the archive is written; a file appears under its name only when complete.
#include <cstdio>
#include <fcntl.h>
#include <linux/fs.h>
#include <unistd.h>

#include <fmt/format.h>

#include "ctl/command_impl.hpp"
#include "ctl/progress.hpp"
#include "ctl/stream.hpp"
#include "util/escape.hpp"
#include "util/fs.hpp"
#include "util/time.hpp"
#include "vault/export_stream.hpp"
#include "vault/readme.hpp"

namespace mv::ctl {

namespace {

namespace stdfs = std::filesystem;

// Where the archive goes: stdout, or a temporary file renamed into place at the end.
struct Destination {
    bool to_stdout = false;
    stdfs::path folder;
    std::optional<stdfs::path> chosen; ///< -o FILE
    stdfs::path temporary;
    UniqueFd fd;

    ~Destination() {
        if (!temporary.empty()) {
            ::unlink(temporary.c_str());
        }
    }
};

void open_destination(Destination& d, const std::optional<std::string>& output, bool force) {
    if (output && *output == "-") {
        if (::isatty(STDOUT_FILENO) != 0) {
            throw UsageError("export: not writing a compressed archive to a terminal; use -o FILE "
                             "or redirect the output");
        }
        d.to_stdout = true;
        return;
    }
    if (output) {
        d.chosen = stdfs::absolute(*output);
        if (!force && stdfs::exists(*d.chosen)) {
            throw Error(fmt::format("{} already exists; use --force to replace it",
                                    escape_name(d.chosen->string())),
                        ErrorCode::conflict);
        }
    }
    d.folder = d.chosen ? d.chosen->parent_path() : stdfs::current_path();
    d.temporary = d.folder / fmt::format(".modelvault-export-{}.part", fs::unique_suffix());
    d.fd.reset(::open(d.temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!d.fd) {
        throw Error(errno_message(fmt::format("cannot write in {}", d.folder.string()), errno),
                    code_for_errno(errno));
    }
}

// The complete archive under its name (never replacing a file unless --force).
stdfs::path put_in_place(Destination& d, const vault::Manifest& manifest, bool force) {
    value_or_throw(fs::sync_fd(d.fd.get(), d.temporary));
    const stdfs::path target = d.chosen ? *d.chosen : d.folder / vault::export_file_name(manifest);
    if (::renameat2(AT_FDCWD, d.temporary.c_str(), AT_FDCWD, target.c_str(),
                    force ? 0 : RENAME_NOREPLACE) != 0) {
        throw Error(
            errno_message(fmt::format("cannot create {}", escape_name(target.string())), errno),
            errno == EEXIST ? ErrorCode::conflict : code_for_errno(errno));
    }
    d.temporary.clear();
    (void)fs::sync_directory(d.folder);
    return target;
}

// A version stored encrypted leaves the vault in clear only when asked (docs/FORMAT.md,
// "Encryption"): asked before a byte is written, so a refusal writes nothing.
bool stored_encrypted(const GlobalOptions& global, const std::string& target) {
    const auto reply = call_daemon(global, "show", {{"target", target}});
    if (!reply.ok()) {
        return false; // the stream request below reports the error
    }
    const json& storage = reply.message["result"]["manifest"]["storage"];
    return storage.is_object() && storage.value("encrypted", false);
}

} // namespace

int run_export(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 1, 1, "export MODEL[@SEL] [-o FILE|-] [--force] [--decrypt]");
    const bool encrypted = stored_encrypted(global, model_argument(args.positional()[0]));
    if (encrypted && !args.has("decrypt")) {
        throw UsageError("the version is stored encrypted and export writes a plain archive: "
                         "add --decrypt to write it in clear");
    }
    const auto output = args.value("o") ? args.value("o") : args.value("output");
    Destination destination;
    open_destination(destination, output, args.has("force"));
    const int out = destination.to_stdout ? STDOUT_FILENO : destination.fd.get();
    ProgressBar bar(global.progress && !global.json && ProgressBar::stderr_is_terminal());
    vault::ExportResult result;
    const auto outcome =
        stream_version(global, model_argument(args.positional()[0]), "all", [&](UniqueFd stream) {
            result = vault::export_stream(std::move(stream), out,
                                          [&](std::uint64_t done, std::uint64_t total) {
                                              bar.update("exporting", done, total);
                                          });
        });
    bar.finish();
    if (const int failed = report_stream_failure(global, outcome); failed >= 0) {
        return failed;
    }
    const vault::Manifest& m = result.manifest;
    std::string where = "standard output";
    if (!destination.to_stdout) {
        where = escape_name(put_in_place(destination, m, args.has("force")).string());
    }
    if (global.json) {
        print_json({{"model", m.model},
                    {"version", m.version.to_string()},
                    {"file", destination.to_stdout ? json(nullptr) : json(where)},
                    {"files", m.files.size()},
                    {"bytes", result.bytes},
                    {"archive_bytes", result.archive_bytes},
                    {"verified", true},
                    {"decrypted", encrypted},
                    {"signed", !result.signature.empty()}});
    } else {
        std::fprintf(destination.to_stdout ? stderr : stdout,
                     "exported %s %s to %s (%zu file%s, %s → %s, SHA-256 verified%s%s)\n",
                     m.model.c_str(), m.version.to_string().c_str(), where.c_str(), m.files.size(),
                     m.files.size() == 1 ? "" : "s", format_bytes(result.bytes).c_str(),
                     format_bytes(result.archive_bytes).c_str(),
                     encrypted ? "; decrypted: the archive is not encrypted" : "",
                     result.signature.empty() ? "" : "; signed (signature.json)");
    }
    return k_exit_ok;
}

} // namespace mv::ctl
