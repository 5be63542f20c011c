// import FILE… --model MODEL [--time T] [--version X]: brings existing model files, or
// archives made by modelvault, into the vault as versions of MODEL. The client opens the
// files with its own rights and passes the descriptors (SCM_RIGHTS): the daemon never
// opens a path on someone's behalf.
#include <limits>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "daemon/backup_service.hpp"
#include "daemon/commands/common.hpp"
#include "daemon/commands/topics.hpp"
#include "daemon/job_queue.hpp"
#include "daemon/pruner.hpp"
#include "daemon/services.hpp"
#include "util/escape.hpp"
#include "util/fs.hpp"
#include "vault/archive_reader.hpp"
#include "vault/extract.hpp"
#include "vault/io_chunk.hpp"
#include "vault/vault.hpp"
#include "watcher/scan.hpp"

namespace mv::daemon::commands {

namespace {

struct ImportItem {
    std::shared_ptr<UniqueFd> fd;
    std::string name; ///< the file's name as given (raw bytes)
    std::optional<SystemTime> time;
    std::optional<vault::Version> version;
};

// The manifest of a modelvault archive open as `fd`, or nullopt when it is not one (not a
// tar archive, or one that does not start with manifest.json: a plain model file). An
// archive that starts with manifest.json but whose manifest is too large or invalid is
// refused: storing it as a plain model file would hide the mistake.
std::optional<vault::Manifest> archive_manifest(int fd, const std::string& shown) {
    UniqueFd copy(::dup(fd));
    if (!copy || ::lseek(copy.get(), 0, SEEK_SET) < 0) {
        return std::nullopt;
    }
    std::optional<vault::ArchiveReader> reader;
    std::optional<vault::Member> first;
    try {
        reader.emplace(std::move(copy), "import");
        first = reader->next();
    } catch (const Error&) {
        return std::nullopt; // not a tar archive: a plain model file
    }
    if (!first || first->path != "manifest.json") {
        return std::nullopt;
    }
    const auto refuse = [&](const std::string& why) {
        return Error(fmt::format("{} is a modelvault archive, but {}; nothing was imported from "
                                 "it",
                                 shown, why),
                     ErrorCode::invalid_argument);
    };
    if (first->size > vault::k_max_manifest_bytes) {
        throw refuse(fmt::format("its manifest.json has {} bytes, more than the {} a manifest "
                                 "may have",
                                 first->size, vault::k_max_manifest_bytes));
    }
    std::string text;
    try {
        std::unique_ptr<char[]> buffer(new char[vault::k_io_chunk]);
        while (const std::size_t got = reader->read(buffer.get(), vault::k_io_chunk)) {
            if (text.size() + got > vault::k_max_manifest_bytes) {
                throw refuse("its manifest.json is longer than its header says");
            }
            text.append(buffer.get(), got);
        }
    } catch (const Error& e) {
        if (e.code() == ErrorCode::invalid_argument) {
            throw;
        }
        throw refuse(fmt::format("its manifest.json cannot be read ({})", e.what()));
    }
    auto manifest = vault::parse_manifest(text);
    if (!manifest) {
        throw refuse(fmt::format("its manifest.json is invalid ({})", manifest.error()));
    }
    return std::move(*manifest);
}

std::string base_name(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// One imported file → one version (or "unchanged").
vault::WriteResult import_one(vault::Vault& vault, const vault::ModelId& model,
                              const ImportItem& item, const std::stop_token& stop,
                              const vault::ProgressFn& progress) {
    vault::NewVersion version;
    version.model = model;
    version.trigger = vault::Trigger::import;
    version.version = item.version;
    const std::string shown = escape_name(item.name);
    if (auto manifest = archive_manifest(item.fd->get(), shown)) {
        // A modelvault archive: unpack it with every hash checked, then store its files.
        // An encrypted vault holds no plaintext, not even in tmp/ (docs/FORMAT.md,
        // "Encryption"): its archives are unpacked in the daemon's private temporary folder.
        const auto staging =
            (vault.store().sealing().enabled() ? std::filesystem::temp_directory_path()
                                               : vault.tmp_dir()) /
            fmt::format("modelvault-import-{}", fs::unique_suffix());
        if (vault.store().sealing().enabled() && ::mkdir(staging.c_str(), 0700) != 0) {
            throw Error(errno_message("cannot make a private folder to unpack " + shown, errno),
                        ErrorCode::io);
        }
        struct Cleanup {
            std::filesystem::path dir;
            ~Cleanup() {
                std::error_code ignored;
                std::filesystem::remove_all(dir, ignored);
            }
        } cleanup{staging};
        vault::Manifest unpack = *manifest;
        unpack.archive.size = 0; // an archive cannot know its own hash: do not check it
        unpack.archive.sha256.clear();
        UniqueFd copy(::dup(item.fd->get()));
        ::lseek(copy.get(), 0, SEEK_SET);
        vault::extract_verified(std::move(copy), unpack, staging, vault::Overwrite::no);
        for (const auto& file : manifest->files) {
            version.files.push_back(
                vault::SourceFile::beneath(staging, file.path, file.path, file.role));
        }
        version.created = item.time.value_or(manifest->created);
        if (!item.version) {
            version.version = manifest->version;
        }
        version.metrics = manifest->metrics;
        version.compat = manifest->compat;
        version.params = manifest->params;
        version.tags = manifest->tags;
        version.note = manifest->note;
        version.incomplete = manifest->incomplete;
        version.checkpoint = manifest->checkpoint;
        version.metrics_missing = manifest->metrics_missing;
        version.metrics_files = manifest->metrics_files;
        version.reason = fmt::format("imported from archive {} ({} {}{})", shown, manifest->model,
                                     manifest->version.to_string(),
                                     manifest->reason.empty() ? "" : ": " + manifest->reason);
        return vault.write_version(version, stop, progress);
    }
    // A plain model file: stored under the model's own file name, so that later backups of
    // the same model compare equal to it.
    struct stat st {};
    if (::fstat(item.fd->get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        throw Error(fmt::format("{} is not a regular file", shown), ErrorCode::invalid_argument);
    }
    const std::string stored =
        model.relative.empty() ? base_name(item.name) : base_name(model.relative);
    version.files.push_back(vault::SourceFile::from_descriptor(item.fd, stored));
    // A file stamped in the year 3000 must not come in as 1830 (its nanoseconds wrap).
    const std::int64_t mtime_ns = saturating_ns(st.st_mtim.tv_sec, 0);
    if (!item.time && (mtime_ns == std::numeric_limits<std::int64_t>::max() ||
                       mtime_ns == std::numeric_limits<std::int64_t>::min())) {
        throw Error(fmt::format("{} was modified at a time modelvault cannot hold (before {} or "
                                "after {}); give the version's time with --time",
                                shown, k_first_year, k_last_year),
                    ErrorCode::invalid_argument);
    }
    version.created = item.time.value_or(SystemTime{std::chrono::nanoseconds(mtime_ns)});
    version.reason = fmt::format("imported from {}", shown);
    return vault.write_version(version, stop, progress);
}

/// Adds `retention` (the reasons) and `warning` to each committed row whose version the
/// dry run `report` under `policy` would remove.
void warn_about_retention(const PruneReport& report,
                          const std::optional<config::RetentionPolicy>& policy, json& rows) {
    // The way out depends on the policy: a tag it keeps, else a wider policy.
    const auto keep_it = [&](const std::string& version) {
        if (policy && !policy->keep_tags.empty()) {
            return fmt::format(
                "keep it with a tag the policy keeps: `modelvaultctl tag {}@{} add {}`",
                report.model, version, policy->keep_tags.front());
        }
        return std::string("keep it by adding keep_tags to the watch's retention (then tag it), "
                           "or widen the policy");
    };
    for (auto& row : rows) {
        if (row.value("status", "") != "committed") {
            continue;
        }
        const std::string version = row.value("version", "");
        for (const auto& decision : report.decisions) {
            if (decision.id != version || decision.verdict != retention::Verdict::remove) {
                continue;
            }
            row["retention"] = {{"verdict", "remove"}, {"reasons", decision.reasons}};
            row["warning"] = fmt::format(
                "the retention policy would remove {} {} at its next pass ({}); {}", report.model,
                version, fmt::join(decision.reasons, ", "), keep_it(version));
        }
    }
}

// Why importing into `model`, which the vault does not hold yet, needs --new-model; empty
// when a watch backs it up anyway (its watch sees that file now).
std::string why_new_model(Services& d, const vault::ModelId& model) {
    const auto watch = d.backups().find_watch(model.watch);
    if (!watch) {
        std::vector<std::string> names;
        for (const auto& w : d.config().watches) {
            names.push_back(w.name);
        }
        return fmt::format("no watch named {} in the configuration ({}), so {} would be a model "
                           "that no watch backs up and no retention policy prunes; check the "
                           "name, or add --new-model to create it anyway",
                           model.watch,
                           names.empty()
                               ? "there are no watches"
                               : fmt::format("the watches are: {}", fmt::join(names, ", ")),
                           model.text());
    }
    const bool seen =
        watch->layout == config::Layout::directory
            ? model.relative.empty()
            : !model.relative.empty() && !watcher::list_model_files(*watch, model.relative).empty();
    if (seen) {
        return {};
    }
    return fmt::format(
        "{} is not in the vault and watch {} has no such model{}: `modelvaultctl "
        "list` shows the models in the vault; add --new-model to start a new one",
        model.text(), watch->name,
        watch->layout == config::Layout::directory
            ? fmt::format(" (it keeps its whole folder as one model, {})", watch->name)
            : fmt::format(" (no model file at {})",
                          escape_name((watch->path / model.relative).string())));
}

void import_files(CommandContext& c, std::vector<UniqueFd> fds) {
    Services& d = c.services;
    const std::string model_text = required_string(c.args, "model");
    auto model = vault::ModelId::parse(model_text);
    if (!model) {
        throw Error(model.error(), ErrorCode::invalid_argument);
    }
    if (d.vault().versions(model->text()).empty() && !flag(c.args, "new_model")) {
        if (const auto why = why_new_model(d, *model); !why.empty()) {
            throw Error(why, ErrorCode::not_found);
        }
    }
    const auto it = c.args.find("files");
    if (it == c.args.end() || !it->is_array() || it->empty()) {
        throw Error("argument \"files\" must list the files being imported",
                    ErrorCode::invalid_argument);
    }
    if (it->size() != fds.size()) {
        throw Error(fmt::format("{} file(s) named but {} descriptor(s) received; pass at most {} "
                                "files per request",
                                it->size(), fds.size(), ipc::k_max_request_fds),
                    ErrorCode::invalid_argument);
    }
    std::vector<ImportItem> items;
    for (std::size_t i = 0; i < fds.size(); ++i) {
        const json& spec = (*it)[i];
        ImportItem item;
        item.fd = std::make_shared<UniqueFd>(std::move(fds[i]));
        item.name = value_or_throw(unescape_name(optional_string(spec, "name").value_or("file")),
                                   "", ErrorCode::invalid_argument);
        if (const auto time = optional_string(spec, "time")) {
            item.time = value_or_throw(parse_time(*time), "--time: ", ErrorCode::invalid_argument);
        }
        if (const auto text = optional_string(spec, "version")) {
            item.version = vault::Version::parse(*text);
            if (!item.version) {
                throw Error(fmt::format("--version \"{}\" is not MAJOR.MINOR.PATCH", *text),
                            ErrorCode::invalid_argument);
            }
        }
        items.push_back(std::move(item));
    }
    const std::string id = model->text();
    d.backup_jobs().submit(id, [&d, model = *model, id, items = std::move(items),
                                responder = c.responder](const std::stop_token& stop) {
        json results = json::array();
        bool any_committed = false;
        for (const auto& item : items) {
            json row = {{"file", escape_name(item.name)}, {"model", id}};
            try {
                const auto result =
                    import_one(d.vault(), model, item, stop, [&](std::uint64_t bytes) {
                        responder->progress({{"file", escape_name(item.name)}, {"bytes", bytes}});
                    });
                row["status"] = result.committed ? "committed" : "unchanged";
                row["version"] = result.manifest.version.to_string();
                row["summary"] = version_summary(d.vault(), result.manifest);
                any_committed = any_committed || result.committed;
                spdlog::info("{}: {} {} {}", id, escape_name(item.name),
                             result.committed ? "imported as" : "unchanged, same as",
                             result.manifest.version.to_string());
            } catch (const Error& e) {
                row["status"] = "failed";
                row["message"] = e.what();
                spdlog::error("{}: importing {} failed: {}", id, escape_name(item.name), e.what());
            }
            results.push_back(std::move(row));
        }
        // Imported history is usually older than the watch's retention keeps. It is not
        // pruned here, right after the user asked for it; instead each version the next
        // pass would remove is named, with what to do about it.
        if (any_committed) {
            warn_about_retention(d.backups().prune(id, DryRun::yes), d.backups().policy_for(id),
                                 results);
        }
        responder->succeed({{"results", std::move(results)}});
    });
}

} // namespace

void register_import(CommandRegistry& registry) {
    registry.add({"import", AccessLevel::write,
                  "bring existing model files or modelvault archives into the vault",
                  [](CommandContext& c) { import_files(c, std::move(c.fds)); }});
}

} // namespace mv::daemon::commands
