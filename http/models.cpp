#include "http/models.hpp"

#include <map>
#include <string>

namespace mv::http {

using nlohmann::json;

json models_from_list(const json& list_result) {
    std::map<std::string, json> models;
    for (const json& row : list_result.value("versions", json::array())) {
        const std::string id = row.value("model", "");
        auto [it, first] = models.try_emplace(id, json::object());
        json& model = it->second;
        if (first) {
            // Rows come newest first: the first row of a model is its latest version.
            model = {{"model", id},
                     {"versions", 0},
                     {"latest", row.value("version", "")},
                     {"latest_created", row.value("created", "")},
                     {"size", row.value("size", 0ULL)},
                     {"stored_bytes", 0ULL},
                     {"best", nullptr},
                     {"current", nullptr}};
        }
        model["versions"] = model["versions"].get<std::uint64_t>() + 1;
        model["stored_bytes"] =
            model["stored_bytes"].get<std::uint64_t>() + row.value("stored", 0ULL);
        for (const json& tag : row.value("tags", json::array())) {
            if (tag == "best" || tag == "current") {
                model[tag.get<std::string>()] = row.value("version", "");
            }
        }
    }
    json rows = json::array();
    for (auto& [id, model] : models) {
        rows.push_back(std::move(model));
    }
    return {{"models", std::move(rows)}};
}

} // namespace mv::http
