// The files of a plan (backup_plan.hpp): model files with their structural checks and a
// checkpoint folder's completion, and the sidecars.
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "daemon/backup_plan.hpp"
#include "daemon/backup_service.hpp"
#include "daemon/fingerprints.hpp"
#include "daemon/sidecars.hpp"
#include "daemon/triggers.hpp"
#include "util/escape.hpp"
#include "util/fs.hpp"
#include "vault/model_format.hpp"
#include "watcher/filter.hpp"

namespace mv::daemon {

namespace {

using nlohmann::json;

bool comparable(const std::string& format) {
    return format != "unknown" && format != "empty";
}

// The same file of the model in an earlier version: the same stored path, or for a series
// of checkpoint files the checkpoint file itself, whatever its name was then.
bool same_slot(const vault::Manifest& old, const vault::FileEntry& file,
               const watcher::CheckpointRef* checkpoint, const std::string& path) {
    if (file.path == path) {
        return true;
    }
    return checkpoint && !checkpoint->folder && path == checkpoint->name() && old.checkpoint &&
           !old.checkpoint->folder && file.path == old.checkpoint->name;
}

// Why a checkpoint folder is not complete yet, by what its framework writes last.
std::optional<std::string> folder_unfinished(const config::Watch& watch,
                                             const watcher::CheckpointRef& checkpoint,
                                             const std::vector<std::string>& inside) {
    const auto has = [&](const std::string& name) {
        return std::find(inside.begin(), inside.end(), name) != inside.end();
    };
    if (const auto generic = vault::check_folder(inside); !generic.complete) {
        return generic.problem;
    }
    // A DCP saved without collectives has a __<rank>.metadata per rank instead of .metadata
    // (check_folder wants one for every rank).
    const bool rank_metadata = std::any_of(inside.begin(), inside.end(), [](const auto& file) {
        return watcher::is_dcp_rank_metadata(file);
    });
    if (const std::string last = watcher::completion_file(watch);
        !last.empty() && !has(last) && !(last == ".metadata" && rank_metadata)) {
        return fmt::format("{} is complete once {} is written; it is not there yet",
                           escape_name(checkpoint.name()), last);
    }
    if (watch.checkpoints->preset == config::CheckpointPreset::orbax &&
        !has("commit_success.txt") && has("_CHECKPOINT_METADATA")) {
        // Orbax records the commit time just before its rename (or its commit file).
        auto text = fs::read_file_beneath(
            watch.path, watcher::join_relative(checkpoint.member, "_CHECKPOINT_METADATA"));
        const json metadata = text ? json::parse(*text, nullptr, false) : json();
        if (!metadata.is_object() || metadata.value("commit_timestamp_nsecs", json()).is_null()) {
            return fmt::format("Orbax has not committed step {} yet (no commit_timestamp_nsecs "
                               "in _CHECKPOINT_METADATA, no commit_success.txt)",
                               escape_name(checkpoint.name()));
        }
    }
    if (const std::string metrics = watcher::metrics_file_inside(watch);
        watch.checkpoints->preset == config::CheckpointPreset::huggingface && has(metrics)) {
        auto text =
            fs::read_file_beneath(watch.path, watcher::join_relative(checkpoint.member, metrics));
        if (!text || json::parse(*text, nullptr, false).is_discarded()) {
            return fmt::format("{} in {} is not valid JSON yet", metrics,
                               escape_name(checkpoint.name()));
        }
    }
    return std::nullopt;
}

} // namespace

std::string stored_path(const BackupRequest& request, const watcher::CheckpointRef* checkpoint,
                        const std::string& file) {
    return checkpoint ? path_in_checkpoint(*checkpoint, file) : path_in_model(request.model, file);
}

FilesChecked add_model_files(const PlanContext& context,
                             const std::optional<vault::Manifest>& latest,
                             vault::NewVersion& version) {
    const config::Watch& watch = context.watch;
    FilesChecked checked;
    std::vector<std::string> stored;
    for (const auto& state : context.files) {
        const std::string inside = stored_path(context.request, context.checkpoint, state.path);
        stored.push_back(inside);
        version.files.push_back(vault::SourceFile::beneath(watch.path, state.path, inside));
        version.files.back().expected = vault::ExpectedState{state.device, state.inode, state.size,
                                                             state.mtime_ns, state.ctime_ns};
        auto fd = fs::open_beneath(watch.path, state.path);
        if (!fd) {
            continue; // the writer reports it with context
        }
        const auto detected = vault::detect_format(fd->get(), inside);
        const auto check = vault::check_structure(fd->get(), detected.format, inside);
        if (!check.complete) {
            checked.unfinished.push_back(fmt::format("{}: {}", escape_name(inside), check.problem));
        }
        if (!latest || !comparable(detected.format)) {
            continue;
        }
        for (const auto& old : latest->files) {
            if (old.role == vault::FileRole::model && comparable(old.format) &&
                old.format != detected.format &&
                same_slot(*latest, old, context.checkpoint, inside)) {
                checked.majors.push_back(fmt::format("format of {} changed {} → {}",
                                                     escape_name(inside), old.format,
                                                     detected.format));
            }
        }
    }
    if (watch.layout == config::Layout::directory) {
        if (const auto folder = vault::check_folder(stored); !folder.complete) {
            checked.unfinished.push_back(folder.problem);
        }
    } else if (context.checkpoint && context.checkpoint->folder) {
        if (auto problem = folder_unfinished(watch, *context.checkpoint, stored)) {
            checked.unfinished.push_back(std::move(*problem));
        }
    }
    return checked;
}

void add_sidecars(const PlanContext& context, vault::NewVersion& version) {
    const config::Watch& watch = context.watch;
    const std::string model_file =
        context.checkpoint ? context.checkpoint->member : context.request.model;
    std::vector<std::string> model_files;
    for (const auto& state : context.files) {
        model_files.push_back(state.path);
    }
    // Sidecars travel with the version, in their folders below the model's.
    const SidecarSelection sidecars = find_sidecars(watch, model_file, model_files);
    for (const auto& warning : sidecars.warnings) {
        spdlog::warn("{}: {}", model_text(watch.name, context.request.model), warning);
    }
    for (const auto& sidecar : sidecars.files) {
        version.files.push_back(vault::SourceFile::beneath(
            watch.path, sidecar.relative, sidecar.stored_as, vault::FileRole::sidecar));
    }
}

} // namespace mv::daemon
