#pragma once
// The one connection of a daemon to the catalog's PostgreSQL database, through libpq: the
// narrow, impure piece of the catalog (docs/catalog.md). Connecting brings the schema up to
// k_schema_version (schema.hpp); apply() runs one event's statements in one transaction.

#include <memory>
#include <string>
#include <vector>

#include "catalog/statements.hpp"

namespace mv::catalog {

class Database {
public:
    /// Connects to `uri` (a libpq connection URI) with `password` (empty: none), creates or
    /// migrates the schema, and fails every statement that runs longer than a minute (a
    /// hung server must not stall the sender for ever). Throws Error(unavailable) with
    /// the server's message when it cannot connect, Error(conflict) when the database's
    /// schema is newer than this modelvault knows, Error(io) when a migration fails.
    Database(const std::string& uri, const std::string& password);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    /// Runs `statements` in one transaction; throws Error(io) with the server's message
    /// (the transaction is rolled back). Error(unavailable) when the connection is lost.
    void apply(const std::vector<Statement>& statements);
    /// The schema version found (and reached) when connecting.
    int schema_version() const { return m_schema_version; }

private:
    struct Connection;
    void execute(const std::string& sql, const std::vector<std::string>& params = {});
    int read_schema_version();
    void migrate();

    std::unique_ptr<Connection> m_connection;
    int m_schema_version = 0;
};

} // namespace mv::catalog
