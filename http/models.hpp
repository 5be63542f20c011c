#pragma once
// GET /api/v1/models (docs/HTTP.md): one row per model, summed up from the rows of the
// `list` command, so that it reads versions through the same interface as every client.

#include <nlohmann/json.hpp>

namespace mv::http {

/// {"models": [{"model", "versions", "latest", "latest_created", "best", "current",
/// "stored_bytes", "size"}]} from `list`'s result (rows newest first), sorted by model id.
/// `size` is the newest version's, `stored_bytes` the sum over every version.
nlohmann::json models_from_list(const nlohmann::json& list_result);

} // namespace mv::http
