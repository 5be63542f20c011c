#include "catalog/event.hpp"

namespace mv::catalog {

namespace {

using json = nlohmann::json;

json note_row(const vault::Note& note) {
    return {{"text", note.text},
            {"tags", note.tags},
            {"user", note.user},
            {"time", format_utc(note.time)}};
}

} // namespace

json version_row(const vault::Manifest& manifest) {
    json notes = json::array();
    for (const auto& note : manifest.notes) {
        notes.push_back(note_row(note));
    }
    // Format 1 versions have no storage record: their archive is what they added.
    const std::uint64_t stored =
        manifest.format_version >= 2 ? manifest.storage.new_bytes : manifest.archive.size;
    return {{"model", manifest.model},
            {"version", manifest.version.to_string()},
            {"watch", manifest.watch},
            {"host", manifest.host},
            {"sequence", manifest.sequence},
            {"revision", manifest.revision},
            {"created", format_utc(manifest.created)},
            {"trigger", vault::to_string(manifest.trigger)},
            {"reason", manifest.reason},
            {"metrics", manifest.metrics.is_object() ? manifest.metrics : json::object()},
            {"params", manifest.params.is_object() ? manifest.params : json::object()},
            {"tags", manifest.tags},
            {"note", manifest.note},
            {"notes", std::move(notes)},
            {"size_bytes", manifest.total_size()},
            {"stored_bytes", stored}};
}

json versions_event(const std::string& vault_id, const vault::Manifest& manifest) {
    return {
        {"kind", "versions"}, {"vault", vault_id}, {"rows", json::array({version_row(manifest)})}};
}

json removal_event(const std::string& vault_id, const vault::Manifest& manifest,
                   const std::string& reason, SystemTime removed) {
    return {{"kind", "removal"},
            {"vault", vault_id},
            {"host", manifest.host},
            {"model", manifest.model},
            {"version", manifest.version.to_string()},
            {"reason", reason},
            {"removed", format_utc(removed)}};
}

json sync_event(const std::string& vault_id, const std::vector<vault::Manifest>& manifests) {
    json rows = json::array();
    for (const auto& manifest : manifests) {
        rows.push_back(version_row(manifest));
    }
    return {{"kind", "sync"}, {"vault", vault_id}, {"rows", std::move(rows)}};
}

std::string kind_of(const json& event) {
    if (event.is_object() && event.contains("kind") && event["kind"].is_string()) {
        return event["kind"].get<std::string>();
    }
    return "";
}

} // namespace mv::catalog
