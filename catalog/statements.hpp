#pragma once
// What each catalog event (event.hpp) does to the tables (schema.hpp), as parameterised
// SQL: pure, so that the mapping is tested without a server. Every statement is
// idempotent, so an event delivered again after a crash (committed, but its outbox file
// not yet removed) changes nothing: versions are upserted by (vault, model, version) and
// an older revision never overwrites a newer one; a removed version is never brought
// back; a removal is recorded once.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mv::catalog {

struct Statement {
    std::string sql;
    std::vector<std::string> params; ///< $1, $2, … as text
};

/// The statements of `event`, to run in one transaction. Throws Error(corrupt) naming
/// what is wrong when `event` is not an event this modelvault writes.
std::vector<Statement> statements_for(const nlohmann::json& event);

} // namespace mv::catalog
