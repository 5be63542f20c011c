#include "catalog/schema.hpp"

#include <fmt/format.h>

#include "util/error.hpp"

namespace mv::catalog {

namespace {

// Version 1: one row per version, keyed by the vault it is in.
constexpr const char* k_version_1 = R"sql(
CREATE SCHEMA IF NOT EXISTS modelvault;
CREATE TABLE modelvault.schema_version (version integer NOT NULL);
INSERT INTO modelvault.schema_version VALUES (1);
CREATE TABLE modelvault.versions (
    vault_id   text NOT NULL,
    host       text NOT NULL,
    model      text NOT NULL,
    version    text NOT NULL,
    watch      text NOT NULL,
    created    timestamptz NOT NULL,
    trigger    text NOT NULL,
    metrics    jsonb NOT NULL,
    params     jsonb NOT NULL,
    tags       text[] NOT NULL,
    note       text NOT NULL,
    size_bytes bigint NOT NULL,
    PRIMARY KEY (vault_id, model, version)
);
)sql";

// Version 2: the order of versions and revisions (so that an older revision never
// overwrites a newer one), what a version added to the vault, notes added later,
// removals, and indexes for searches in metrics and parameters.
constexpr const char* k_version_2 = R"sql(
ALTER TABLE modelvault.versions
    ADD COLUMN sequence bigint NOT NULL DEFAULT 0,
    ADD COLUMN revision bigint NOT NULL DEFAULT 0,
    ADD COLUMN reason text NOT NULL DEFAULT '',
    ADD COLUMN stored_bytes bigint NOT NULL DEFAULT 0,
    ADD COLUMN mirrored timestamptz NOT NULL DEFAULT now();
CREATE TABLE modelvault.notes (
    vault_id  text NOT NULL,
    model     text NOT NULL,
    version   text NOT NULL,
    position  integer NOT NULL,
    text      text NOT NULL,
    tags      text[] NOT NULL,
    user_name text NOT NULL,
    added     timestamptz NOT NULL,
    PRIMARY KEY (vault_id, model, version, position),
    FOREIGN KEY (vault_id, model, version) REFERENCES modelvault.versions ON DELETE CASCADE
);
CREATE TABLE modelvault.removals (
    vault_id text NOT NULL,
    host     text NOT NULL,
    model    text NOT NULL,
    version  text NOT NULL,
    reason   text NOT NULL,
    removed  timestamptz NOT NULL,
    PRIMARY KEY (vault_id, model, version)
);
CREATE INDEX versions_params ON modelvault.versions USING gin (params);
CREATE INDEX versions_metrics ON modelvault.versions USING gin (metrics);
CREATE INDEX versions_created ON modelvault.versions (created);
UPDATE modelvault.schema_version SET version = 2;
)sql";

} // namespace

std::string migration_to(int to) {
    switch (to) {
    case 1:
        return k_version_1;
    case 2:
        return k_version_2;
    default:
        throw Error(
            fmt::format("the catalog has no schema version {} (1 … {})", to, k_schema_version),
            ErrorCode::internal);
    }
}

} // namespace mv::catalog
