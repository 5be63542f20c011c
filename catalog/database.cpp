#include "catalog/database.hpp"

#include <cstdlib>
#include <libpq-fe.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "catalog/schema.hpp"
#include "util/error.hpp"

namespace mv::catalog {

namespace {

struct ResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using UniqueResult = std::unique_ptr<PGresult, ResultDeleter>;

// libpq's messages end in a newline and may span lines; status shows one line.
std::string one_line(const char* message) {
    std::string text = message != nullptr ? message : "";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    for (char& c : text) {
        c = c == '\n' ? ' ' : c;
    }
    return text;
}

} // namespace

struct Database::Connection {
    PGconn* handle = nullptr;
    ~Connection() { PQfinish(handle); }
};

Database::Database(const std::string& uri, const std::string& password)
    : m_connection(std::make_unique<Connection>()) {
    // expand_dbname: "dbname" holds the whole URI; the keywords after it add to it.
    std::vector<const char*> keys = {"dbname", "connect_timeout", "application_name", "options"};
    std::vector<const char*> values = {uri.c_str(), "10", "modelvaultd",
                                       "-c statement_timeout=60000"};
    if (!password.empty()) {
        keys.push_back("password");
        values.push_back(password.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    m_connection->handle = PQconnectdbParams(keys.data(), values.data(), 1);
    if (m_connection->handle == nullptr || PQstatus(m_connection->handle) != CONNECTION_OK) {
        throw Error(fmt::format("cannot connect to the catalog database: {}",
                                one_line(PQerrorMessage(m_connection->handle))),
                    ErrorCode::unavailable);
    }
    migrate();
}

Database::~Database() = default;

void Database::execute(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& param : params) {
        values.push_back(param.c_str());
    }
    // Without parameters: the simple protocol, which runs several statements (migrations).
    UniqueResult result(params.empty() ? PQexec(m_connection->handle, sql.c_str())
                                       : PQexecParams(m_connection->handle, sql.c_str(),
                                                      static_cast<int>(values.size()), nullptr,
                                                      values.data(), nullptr, nullptr, 0));
    const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        return;
    }
    const bool lost = PQstatus(m_connection->handle) != CONNECTION_OK;
    throw Error(fmt::format("the catalog database refused a statement: {}",
                            one_line(result ? PQresultErrorMessage(result.get())
                                            : PQerrorMessage(m_connection->handle))),
                lost ? ErrorCode::unavailable : ErrorCode::io);
}

int Database::read_schema_version() {
    // Two queries: a query naming a missing table fails when it is planned.
    const auto single_value = [&](const char* sql) -> std::string {
        UniqueResult result(PQexec(m_connection->handle, sql));
        if (!result || PQresultStatus(result.get()) != PGRES_TUPLES_OK ||
            PQntuples(result.get()) != 1) {
            throw Error(fmt::format("cannot read the catalog's schema version: {}",
                                    one_line(PQerrorMessage(m_connection->handle))),
                        ErrorCode::unavailable);
        }
        return PQgetvalue(result.get(), 0, 0);
    };
    if (single_value("SELECT to_regclass('modelvault.schema_version') IS NOT NULL") != "t") {
        return 0;
    }
    const std::string version = single_value("SELECT max(version) FROM modelvault.schema_version");
    return version.empty() ? 0 : std::atoi(version.c_str());
}

void Database::migrate() {
    // One daemon migrates at a time; the others wait for the lock and find it done.
    execute("BEGIN");
    try {
        execute(fmt::format("SELECT pg_advisory_xact_lock({})", k_migration_lock));
        const int found = read_schema_version();
        if (found > k_schema_version) {
            throw Error(fmt::format("the catalog database's schema is version {}, newer than "
                                    "this modelvault knows ({}); upgrade modelvault on this "
                                    "machine",
                                    found, k_schema_version),
                        ErrorCode::conflict);
        }
        for (int to = found + 1; to <= k_schema_version; ++to) {
            execute(migration_to(to));
            spdlog::info("catalog: the database's schema is now version {}", to);
        }
        execute("COMMIT");
        m_schema_version = k_schema_version;
    } catch (...) {
        UniqueResult(PQexec(m_connection->handle, "ROLLBACK"));
        throw;
    }
}

void Database::apply(const std::vector<Statement>& statements) {
    execute("BEGIN");
    try {
        for (const auto& statement : statements) {
            execute(statement.sql, statement.params);
        }
        execute("COMMIT");
    } catch (...) {
        UniqueResult(PQexec(m_connection->handle, "ROLLBACK"));
        throw;
    }
}

} // namespace mv::catalog
