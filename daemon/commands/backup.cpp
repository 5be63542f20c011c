// backup MODEL… | --all [--bump] [--tag] [--note]: waits until every version is committed.
#include <atomic>
#include <map>
#include <mutex>
#include <sys/stat.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/backup_service.hpp"
#include "daemon/commands/common.hpp"
#include "daemon/commands/progress_throttle.hpp"
#include "daemon/commands/topics.hpp"
#include "daemon/services.hpp"
#include "vault/model_id.hpp"
#include "vault/vault.hpp"
#include "watcher/scan.hpp"

namespace mv::daemon::commands {

namespace {

// Collects every model's outcome; the last one to finish answers the client.
struct BackupBatch {
    std::mutex mutex;
    json results = json::array();
    std::size_t remaining = 0;
    std::shared_ptr<ipc::Responder> responder;
};

bool valid_tag(const std::string& tag) {
    return !tag.empty() && std::all_of(tag.begin(), tag.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '.' || ch == '_' ||
               ch == '-';
    });
}

// Why `id` names no model of `watch`, in words that say what to type instead.
std::string why_not_a_model(const config::Watch& watch, const vault::ModelId& id,
                            const std::string& text) {
    if (watch.layout == config::Layout::directory) {
        return fmt::format("watch {} keeps its whole folder as one model (layout directory): "
                           "back up {} instead of {}",
                           watch.name, watch.name, text);
    }
    if (id.relative.empty()) {
        return fmt::format("name a model file of watch {}, e.g. {}/model.pt (see "
                           "`modelvaultctl list`)",
                           watch.name, watch.name);
    }
    const auto path = watch.path / id.relative;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        return fmt::format("{} does not exist: watch {} looks for it at {}", text, watch.name,
                           path.string());
    }
    if (!S_ISREG(st.st_mode)) {
        return fmt::format("{} is not a regular file ({}): modelvaultd backs up regular files "
                           "and does not follow symlinks",
                           text, path.string());
    }
    return fmt::format("{} is not a model of watch {}: its include/exclude patterns skip {}", text,
                       watch.name, path.string());
}

// The newest checkpoint of each series of `watch` (a manual backup of a series backs up
// its newest checkpoint), as model → checkpoint.
std::map<std::string, std::string> newest_checkpoints(const config::Watch& watch) {
    std::map<std::string, std::string> newest;
    for (const auto& checkpoint : watcher::list_checkpoints(watch)) {
        if (!checkpoint.alias) {
            newest[checkpoint.model()] = checkpoint.member; // in step order: the last wins
        }
    }
    return newest;
}

// The note of `backup --note` on unchanged content goes to the version that holds it; the
// answer says so (or why it could not).
void attach_note(vault::Vault& vault, const vault::Note& note, BackupOutcome& outcome, json& row) {
    const auto& m = *outcome.manifest;
    try {
        outcome.manifest = vault.add_note(m.model, m.version, note);
        row["note_attached"] = m.version.to_string();
        spdlog::info("{} {}: note of an unchanged backup attached", m.model, m.version.to_string());
    } catch (const Error& e) {
        row["note_error"] = fmt::format("the note could not be attached to {}: {}",
                                        m.version.to_string(), e.what());
    }
}

// What every version of one `backup` request gets: bump, tags and note, checked before
// any backup starts.
struct ManualOptions {
    std::optional<vault::Bump> bump;
    std::vector<std::string> tags;
    std::string note;
    /// `backup --note` of content already stored notes the version that holds it.
    std::optional<vault::Note> note_if_unchanged;
};

ManualOptions manual_options(CommandContext& c) {
    ManualOptions options;
    if (const auto text = optional_string(c.args, "bump")) {
        options.bump = vault::parse_bump(*text);
        if (!options.bump) {
            throw Error(fmt::format("bump \"{}\" is not major, minor or patch", *text),
                        ErrorCode::invalid_argument);
        }
    }
    options.tags = string_list(c.args, "tags");
    for (const auto& tag : options.tags) {
        if (!valid_tag(tag)) {
            throw Error(
                fmt::format("tag \"{}\" may only use letters, digits, '.', '_' and '-'", tag),
                ErrorCode::invalid_argument);
        }
    }
    options.note = optional_string(c.args, "note").value_or("");
    if (!options.note.empty()) {
        options.note_if_unchanged = new_note(c.services.clock(), c.peer.uid, options.note, {});
    }
    return options;
}

BackupRequest manual_request(const config::Watch& watch, const std::string& relative,
                             const char* reason, const ManualOptions& options) {
    auto request = request_for(watch, relative, vault::Trigger::manual, reason);
    request.bump = options.bump;
    request.tags = options.tags;
    request.note = options.note;
    return request;
}

// `backup --all`: every model and the newest checkpoint of every series of every watch.
void add_every_model(Services& d, const ManualOptions& options,
                     std::vector<BackupRequest>& requests) {
    const char* reason = "requested with modelvaultctl backup --all";
    for (const auto& name : d.config().watches) {
        const auto watch = d.backups().find_watch(name.name);
        for (const auto& model : watcher::list_models(*watch)) {
            requests.push_back(manual_request(*watch, model, reason, options));
        }
        for (const auto& [model, member] : newest_checkpoints(*watch)) {
            requests.push_back(manual_request(*watch, member, reason, options));
        }
    }
}

// A model named on the command line: a model file, or a checkpoint series (its newest
// checkpoint). Throws Error(not_found) saying what to type instead.
BackupRequest named_request(Services& d, const std::string& text, const ManualOptions& options) {
    const char* reason = "requested with modelvaultctl backup";
    auto id = vault::ModelId::parse(text);
    if (!id) {
        throw Error(id.error(), ErrorCode::invalid_argument);
    }
    const auto watch = d.backups().find_watch(id->watch);
    if (!watch) {
        throw Error(
            fmt::format("no watch named {} in the configuration (model {})", id->watch, text),
            ErrorCode::not_found);
    }
    if (!watcher::list_model_files(*watch, id->relative).empty()) {
        return manual_request(*watch, id->relative, reason, options);
    }
    const auto newest = newest_checkpoints(*watch);
    const auto series = newest.find(id->relative);
    if (series == newest.end()) {
        throw Error(why_not_a_model(*watch, *id, text), ErrorCode::not_found);
    }
    return manual_request(*watch, series->second, reason, options);
}

// One model's outcome as a row of the answer.
json outcome_row(vault::Vault& vault, BackupOutcome outcome,
                 const std::optional<vault::Note>& note_if_unchanged) {
    json row = {{"model", outcome.model}, {"status", to_string(outcome.status)}};
    if (outcome.manifest && note_if_unchanged && outcome.status == BackupStatus::unchanged) {
        attach_note(vault, *note_if_unchanged, outcome, row);
    }
    if (outcome.manifest) {
        row["version"] = outcome.manifest->version.to_string();
        row["summary"] = version_summary(vault, *outcome.manifest);
    }
    if (!outcome.message.empty()) {
        row["message"] = outcome.message;
    }
    return row;
}

// Queues every request; the last one to finish answers with all the rows.
void submit_batch(Services& d, std::vector<BackupRequest> requests,
                  const std::shared_ptr<ipc::Responder>& responder,
                  const std::optional<vault::Note>& note_if_unchanged) {
    auto batch = std::make_shared<BackupBatch>();
    batch->remaining = requests.size();
    batch->responder = responder;
    for (auto& request : requests) {
        const std::string model = model_text(request.watch, request.model);
        auto throttle = std::make_shared<ProgressThrottle>(d.clock());
        auto progress = [responder, model, throttle](std::uint64_t bytes) {
            if (throttle->due()) {
                responder->progress({{"model", model}, {"bytes", bytes}});
            }
        };
        d.backups().submit(
            std::move(request),
            [batch, &vault = d.vault(), note_if_unchanged](BackupOutcome outcome) {
                json row = outcome_row(vault, std::move(outcome), note_if_unchanged);
                std::lock_guard lock(batch->mutex);
                batch->results.push_back(std::move(row));
                if (--batch->remaining == 0) {
                    batch->responder->succeed({{"results", std::move(batch->results)}});
                }
            },
            progress);
    }
}

void backup(CommandContext& c) {
    const bool all = flag(c.args, "all");
    const auto named = string_list(c.args, "models");
    if (all == !named.empty()) {
        throw Error("name the models to back up, or pass \"all\": true (not both)",
                    ErrorCode::invalid_argument);
    }
    const ManualOptions options = manual_options(c);
    // Check every model before starting any backup.
    std::vector<BackupRequest> requests;
    if (all) {
        add_every_model(c.services, options, requests);
    }
    for (const auto& text : named) {
        requests.push_back(named_request(c.services, text, options));
    }
    if (requests.empty()) {
        c.responder->succeed({{"results", json::array()}});
        return;
    }
    submit_batch(c.services, std::move(requests), c.responder, options.note_if_unchanged);
}

} // namespace

void register_backup(CommandRegistry& registry) {
    registry.add(
        {"backup", AccessLevel::write, "back up models now and wait for the versions", backup});
}

} // namespace mv::daemon::commands
