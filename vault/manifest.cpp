#include "vault/manifest.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "util/escape.hpp"
#include "vault/model_id.hpp"

namespace mv::vault {

namespace {

using nlohmann::json;

constexpr const char* k_trigger_names[] = {"change", "schedule", "improvement", "steps",
                                           "manual", "import",   "rollback"};

} // namespace

const char* to_string(Trigger trigger) {
    return k_trigger_names[static_cast<int>(trigger)];
}

std::optional<Trigger> parse_trigger(std::string_view text) {
    for (int i = 0; i < static_cast<int>(std::size(k_trigger_names)); ++i) {
        if (text == k_trigger_names[i]) {
            return static_cast<Trigger>(i);
        }
    }
    return std::nullopt;
}

std::string FileEntry::member() const {
    return (role == FileRole::model ? "model/" : "sidecars/") + path;
}

std::vector<const FileEntry*> Manifest::model_files() const {
    std::vector<const FileEntry*> result;
    for (const auto& file : files) {
        if (file.role == FileRole::model) {
            result.push_back(&file);
        }
    }
    return result;
}

std::uint64_t Manifest::total_size() const {
    std::uint64_t total = 0;
    for (const auto& file : files) {
        total += file.size;
    }
    return total;
}

std::vector<store::ChunkId> Manifest::chunk_ids() const {
    std::vector<store::ChunkId> ids;
    for (const auto& file : files) {
        for (const auto& chunk : file.chunks) {
            ids.push_back(chunk.id);
        }
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

Manifest Manifest::without_chunks() const {
    Manifest light = *this;
    for (auto& file : light.files) {
        file.chunks.clear();
        file.chunks.shrink_to_fit();
    }
    return light;
}

namespace {

json chunks_json(const FileEntry& f) {
    json chunks = json::array();
    for (const auto& chunk : f.chunks) {
        chunks.push_back(json::array({chunk.id.hex(), chunk.size}));
    }
    return chunks;
}

json storage_json(const StorageInfo& s) {
    return {{"codec", s.codec},
            {"level", s.level},
            {"byte_grouping", s.byte_grouping},
            {"encrypted", s.encrypted},
            {"chunk_names", s.chunk_names},
            {"new_chunks", s.new_chunks},
            {"new_bytes", s.new_bytes}};
}

json checkpoint_json(const std::optional<CheckpointInfo>& checkpoint) {
    if (!checkpoint) {
        return nullptr;
    }
    const auto count = [](const std::optional<std::int64_t>& value) {
        return value ? json(*value) : json(nullptr);
    };
    return {{"name", escape_name(checkpoint->name)},
            {"step", count(checkpoint->step)},
            {"epoch", count(checkpoint->epoch)},
            {"folder", checkpoint->folder}};
}

json notes_json(const std::vector<Note>& notes) {
    json list = json::array();
    for (const auto& n : notes) {
        list.push_back({{"text", n.text},
                        {"tags", n.tags},
                        {"uid", n.uid},
                        {"user", n.user},
                        {"time", format_utc(n.time)}});
    }
    return list;
}

json metrics_files_json(const std::vector<MetricsFileRef>& files) {
    json list = json::array();
    for (const auto& file : files) {
        list.push_back({{"path", escape_name(file.path)}, {"sha256", file.sha256}});
    }
    return list;
}

json archive_json(const ArchiveInfo& a) {
    return {{"file", a.file},
            {"size", a.size == 0 ? json(nullptr) : json(a.size)},
            {"sha256", a.sha256.empty() ? json(nullptr) : json(a.sha256)},
            {"codec", a.codec},
            {"level", a.level},
            {"encrypted", a.encrypted}};
}

} // namespace

nlohmann::json to_json(const Manifest& m, bool with_chunks) {
    const bool format2 = m.format_version >= 2;
    json files = json::array();
    for (const auto& f : m.files) {
        json file = {
            {"path", escape_name(f.path)},
            {"role", f.role == FileRole::model ? "model" : "sidecar"},
            {"size", f.size},
            {"mode", fmt::format("{:04o}", f.mode)},
            {"mtime", format_utc(SystemTime{std::chrono::duration_cast<SystemTime::duration>(
                          std::chrono::nanoseconds{f.mtime_ns})})},
            {"mtime_ns", f.mtime_ns},
            {"sha256", f.sha256},
            {"format", f.format},
            {"format_mismatch", f.format_mismatch}};
        if (format2 && with_chunks) {
            file["chunks"] = chunks_json(f);
        } else if (format2) {
            file["chunk_count"] = f.chunk_count;
        }
        files.push_back(std::move(file));
    }
    json result = {{"format", "modelvault-manifest"},
                   {"format_version", m.format_version},
                   {"model", m.model},
                   {"watch", m.watch},
                   {"version", m.version.to_string()},
                   {"sequence", m.sequence},
                   {"created", format_utc(m.created)},
                   {"trigger", to_string(m.trigger)},
                   {"bump", m.bump},
                   {"reason", m.reason},
                   {"parent", m.parent ? json(m.parent->to_string()) : json(nullptr)},
                   {"files", std::move(files)},
                   {"metrics", m.metrics},
                   {"compat", m.compat},
                   {"params", m.params},
                   {"tags", m.tags},
                   {"note", m.note},
                   {"notes", notes_json(m.notes)},
                   {"host", m.host},
                   {"incomplete", m.incomplete},
                   {"checkpoint", checkpoint_json(m.checkpoint)},
                   {"metrics_missing", m.metrics_missing},
                   {"metrics_files", metrics_files_json(m.metrics_files)}};
    if (format2) {
        result["revision"] = m.revision;
        result["storage"] = storage_json(m.storage);
    } else {
        result["archive"] = archive_json(m.archive);
    }
    return result;
}

Result<void> check_stored_paths(const Manifest& manifest) {
    std::set<std::string> members;
    for (const auto& file : manifest.files) {
        if (auto safe = validate_relative_path(file.path); !safe || file.path.empty()) {
            return failure(fmt::format("unsafe file name \"{}\" in the manifest (it must be "
                                       "relative, without empty, \".\" or \"..\" components)",
                                       escape_name(file.path)));
        }
        if (!members.insert(file.member()).second) {
            return failure(
                fmt::format("{} is listed twice in the manifest", escape_name(file.member())));
        }
    }
    return {};
}

} // namespace mv::vault
