#include "catalog/statements.hpp"

#include <fmt/format.h>

#include "catalog/event.hpp"
#include "util/error.hpp"

namespace mv::catalog {

namespace {

using json = nlohmann::json;

// $1 the vault id, $2 a JSON array of rows (event.hpp). A removed version stays removed
// (its number is never given again, so only a replay could bring it back).
constexpr const char* k_upsert_versions = R"sql(
INSERT INTO modelvault.versions AS v (vault_id, host, model, version, watch, sequence,
    revision, created, trigger, reason, metrics, params, tags, note, size_bytes,
    stored_bytes, mirrored)
SELECT $1, r->>'host', r->>'model', r->>'version', r->>'watch', (r->>'sequence')::bigint,
    (r->>'revision')::bigint, (r->>'created')::timestamptz, r->>'trigger', r->>'reason',
    r->'metrics', r->'params', ARRAY(SELECT jsonb_array_elements_text(r->'tags')),
    r->>'note', (r->>'size_bytes')::bigint, (r->>'stored_bytes')::bigint, now()
FROM jsonb_array_elements($2::jsonb) AS input(r)
WHERE NOT EXISTS (SELECT 1 FROM modelvault.removals d
                  WHERE d.vault_id = $1 AND d.model = r->>'model' AND d.version = r->>'version')
ON CONFLICT (vault_id, model, version) DO UPDATE SET
    host = EXCLUDED.host, watch = EXCLUDED.watch, sequence = EXCLUDED.sequence,
    revision = EXCLUDED.revision, created = EXCLUDED.created, trigger = EXCLUDED.trigger,
    reason = EXCLUDED.reason, metrics = EXCLUDED.metrics, params = EXCLUDED.params,
    tags = EXCLUDED.tags, note = EXCLUDED.note, size_bytes = EXCLUDED.size_bytes,
    stored_bytes = EXCLUDED.stored_bytes, mirrored = now()
WHERE v.revision <= EXCLUDED.revision
)sql";

// The notes of the rows whose revision is the one stored (an older revision's notes
// never replace a newer one's): deleted, then inserted in order.
constexpr const char* k_delete_notes = R"sql(
DELETE FROM modelvault.notes n
USING jsonb_array_elements($2::jsonb) AS input(r), modelvault.versions v
WHERE n.vault_id = $1 AND n.model = r->>'model' AND n.version = r->>'version'
  AND v.vault_id = $1 AND v.model = n.model AND v.version = n.version
  AND v.revision = (r->>'revision')::bigint
)sql";

constexpr const char* k_insert_notes = R"sql(
INSERT INTO modelvault.notes (vault_id, model, version, position, text, tags, user_name, added)
SELECT $1, v.model, v.version, (note.ord - 1)::integer, note.n->>'text',
    ARRAY(SELECT jsonb_array_elements_text(note.n->'tags')), note.n->>'user',
    (note.n->>'time')::timestamptz
FROM jsonb_array_elements($2::jsonb) AS input(r)
JOIN modelvault.versions v ON v.vault_id = $1 AND v.model = r->>'model'
    AND v.version = r->>'version' AND v.revision = (r->>'revision')::bigint
CROSS JOIN LATERAL jsonb_array_elements(r->'notes') WITH ORDINALITY AS note(n, ord)
ON CONFLICT DO NOTHING
)sql";

// $1 vault, $2 host, $3 model, $4 version, $5 reason, $6 time.
constexpr const char* k_record_removal = R"sql(
INSERT INTO modelvault.removals (vault_id, host, model, version, reason, removed)
VALUES ($1, $2, $3, $4, $5, $6::timestamptz)
ON CONFLICT DO NOTHING
)sql";

constexpr const char* k_delete_version = R"sql(
DELETE FROM modelvault.versions WHERE vault_id = $1 AND model = $2 AND version = $3
)sql";

// A sync: the vault's rows that are not in $2 (removed while the outbox could not record
// it) are removed and recorded as such.
constexpr const char* k_remove_absent = R"sql(
WITH gone AS (
    DELETE FROM modelvault.versions v
    WHERE v.vault_id = $1 AND NOT EXISTS (
        SELECT 1 FROM jsonb_array_elements($2::jsonb) AS input(r)
        WHERE r->>'model' = v.model AND r->>'version' = v.version)
    RETURNING v.host, v.model, v.version)
INSERT INTO modelvault.removals (vault_id, host, model, version, reason, removed)
SELECT $1, host, model, version, 'no longer in the vault when the daemon started', now()
FROM gone
ON CONFLICT DO NOTHING
)sql";

const json& member(const json& event, const char* name, json::value_t type) {
    if (!event.contains(name) || event[name].type() != type) {
        throw Error(fmt::format("catalog event: \"{}\" is missing or has the wrong type in {}",
                                name, event.dump().substr(0, 200)),
                    ErrorCode::corrupt);
    }
    return event[name];
}

std::string text(const json& event, const char* name) {
    return member(event, name, json::value_t::string).get<std::string>();
}

void check_rows(const json& rows) {
    for (const auto& row : rows) {
        if (!row.is_object()) {
            throw Error("catalog event: a row is not an object", ErrorCode::corrupt);
        }
        for (const char* name : {"model", "version", "host", "created", "trigger"}) {
            (void)text(row, name);
        }
        (void)member(row, "notes", json::value_t::array);
        (void)member(row, "tags", json::value_t::array);
    }
}

std::vector<Statement> upserts(const std::string& vault, const json& rows) {
    const std::string array = rows.dump();
    return {{k_upsert_versions, {vault, array}},
            {k_delete_notes, {vault, array}},
            {k_insert_notes, {vault, array}}};
}

} // namespace

std::vector<Statement> statements_for(const json& event) {
    if (!event.is_object()) {
        throw Error("catalog event: not a JSON object", ErrorCode::corrupt);
    }
    const std::string kind = kind_of(event);
    const std::string vault = text(event, "vault");
    if (kind == "versions" || kind == "sync") {
        const json& rows = member(event, "rows", json::value_t::array);
        check_rows(rows);
        auto statements = upserts(vault, rows);
        if (kind == "sync") {
            statements.push_back({k_remove_absent, {vault, rows.dump()}});
        }
        return statements;
    }
    if (kind == "removal") {
        const std::string model = text(event, "model");
        const std::string version = text(event, "version");
        return {{k_record_removal,
                 {vault, text(event, "host"), model, version, text(event, "reason"),
                  text(event, "removed")}},
                {k_delete_version, {vault, model, version}}};
    }
    throw Error(fmt::format("catalog event: unknown kind \"{}\"", kind), ErrorCode::corrupt);
}

} // namespace mv::catalog
