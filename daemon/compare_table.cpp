#include "daemon/compare_table.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace mv::daemon {

namespace {

using nlohmann::json;

// Objects flattened to a.b.c; arrays and scalars are leaves.
void flatten(const json& node, const std::string& prefix, std::map<std::string, json>& out) {
    if (node.is_object() && !node.empty()) {
        for (const auto& [key, child] : node.items()) {
            flatten(child, prefix.empty() ? key : prefix + "." + key, out);
        }
    } else if (!prefix.empty()) {
        out[prefix] = node;
    }
}

CompareRow make_row(std::string section, std::string key, std::vector<json> values) {
    const bool differs = std::any_of(values.begin(), values.end(),
                                     [&](const json& v) { return v != values.front(); });
    return {std::move(section), std::move(key), std::move(values), differs};
}

// The rows of one section, from each version's document of it.
void add_section(const char* section, const std::vector<json>& documents,
                 std::vector<CompareRow>& rows) {
    std::vector<std::map<std::string, json>> flat(documents.size());
    std::set<std::string> keys;
    for (std::size_t i = 0; i < documents.size(); ++i) {
        flatten(documents[i], "", flat[i]);
        for (const auto& [key, value] : flat[i]) {
            keys.insert(key);
        }
    }
    for (const auto& key : keys) {
        std::vector<json> values;
        for (const auto& one : flat) {
            const auto it = one.find(key);
            values.push_back(it == one.end() ? json(nullptr) : it->second);
        }
        rows.push_back(make_row(section, key, std::move(values)));
    }
}

} // namespace

std::vector<CompareRow> compare_rows(const std::vector<vault::Manifest>& manifests,
                                     const std::vector<std::vector<std::string>>& tags) {
    std::vector<CompareRow> rows;
    const auto property = [&](const char* key, const auto& value_of) {
        std::vector<json> values;
        for (std::size_t i = 0; i < manifests.size(); ++i) {
            values.push_back(value_of(i, manifests[i]));
        }
        rows.push_back(make_row("version", key, std::move(values)));
    };
    property("trigger", [](std::size_t, const vault::Manifest& m) {
        return json(vault::to_string(m.trigger));
    });
    property("size", [](std::size_t, const vault::Manifest& m) { return json(m.total_size()); });
    property("stored",
             [](std::size_t, const vault::Manifest& m) { return json(m.storage.new_bytes); });
    property("files", [](std::size_t, const vault::Manifest& m) { return json(m.files.size()); });
    property("tags", [&](std::size_t i, const vault::Manifest&) {
        return i < tags.size() ? json(tags[i]) : json::array();
    });
    std::vector<json> params, metrics, compat;
    for (const auto& m : manifests) {
        params.push_back(m.params);
        metrics.push_back(m.metrics);
        compat.push_back(m.compat); // keys are JSON pointers: "/a/b" stays one key
    }
    add_section("params", params, rows);
    add_section("metrics", metrics, rows);
    add_section("compat", compat, rows);
    return rows;
}

std::uint64_t bytes_shared_by_all(const std::vector<vault::Manifest>& manifests) {
    if (manifests.empty()) {
        return 0;
    }
    // Each chunk once: its size, and in how many versions it appears.
    std::map<store::ChunkId, std::pair<std::uint64_t, std::size_t>> seen;
    for (const auto& m : manifests) {
        std::set<store::ChunkId> own;
        for (const auto& file : m.files) {
            for (const auto& chunk : file.chunks) {
                if (own.insert(chunk.id).second) {
                    auto& entry = seen[chunk.id];
                    entry.first = chunk.size;
                    ++entry.second;
                }
            }
        }
    }
    std::uint64_t shared = 0;
    for (const auto& [id, entry] : seen) {
        if (entry.second == manifests.size()) {
            shared += entry.first;
        }
    }
    return shared;
}

} // namespace mv::daemon
