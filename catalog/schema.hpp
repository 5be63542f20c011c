#pragma once
// The catalog's tables in PostgreSQL (docs/catalog.md, "Tables") and how each schema
// version is reached from the one before: the daemon brings the database up to
// k_schema_version at every connection (database.hpp), under an advisory lock so that two
// daemons starting together migrate it once. Pure: SQL text only.

#include <string>
#include <vector>

namespace mv::catalog {

/// The schema this modelvault writes. 1: versions; 2: plus ordering and storage columns,
/// notes, removals and JSONB indexes.
inline constexpr int k_schema_version = 2;

/// Every schema lives in this PostgreSQL schema, out of the way of other tables.
inline constexpr const char* k_schema_name = "modelvault";

/// The SQL that turns schema version `to` - 1 (0: an empty database) into version `to`,
/// including the update of modelvault.schema_version. `to` is 1 … k_schema_version.
std::string migration_to(int to);

/// The advisory-lock key every migration holds (pg_advisory_xact_lock).
inline constexpr long long k_migration_lock = 0x6d7663617461; // "mvcata"

} // namespace mv::catalog
