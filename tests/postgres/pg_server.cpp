#include "tests/postgres/pg_server.hpp"

#include <cstdlib>
#include <fstream>
#include <libpq-fe.h>

#include <gtest/gtest.h>

#include "tests/lib/process.hpp"

namespace mv::test {

namespace {

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

std::string env_value(const std::filesystem::path& env, const std::string& key) {
    std::ifstream in(env);
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with(key + "=")) {
            return line.substr(key.size() + 1);
        }
    }
    return "";
}

void script(const PgServer& server, const char* action) {
    const auto result = run({"bash", std::string(MV_SOURCE_DIR) + "/tests/postgres/postgres.sh",
                             action, server.dir.string()});
    ASSERT_EQ(result.exit_code, 0) << "postgres.sh " << action << ": " << result.err;
}

} // namespace

std::string PgServer::uri(const std::string& database) const {
    return "postgresql://postgres@/" + database + "?host=" + socket_dir.string();
}

std::string PgServer::password() const {
    return read_text(password_file);
}

void PgServer::stop() const {
    script(*this, "stop-server");
}

void PgServer::start() const {
    script(*this, "start-server");
}

std::optional<PgServer> pg_server(std::string& why) {
    const char* dir = std::getenv("MV_PG_DIR");
    if (dir == nullptr) {
        why = "MV_PG_DIR is not set: run this test through ctest (the postgres_server fixture)";
        return std::nullopt;
    }
    const std::filesystem::path root = dir;
    if (std::filesystem::exists(root / "skip")) {
        why = read_text(root / "skip");
        return std::nullopt;
    }
    if (!std::filesystem::exists(root / "env")) {
        why = "the postgres_server fixture did not start a server (no " + (root / "env").string() +
              ")";
        return std::nullopt;
    }
    return PgServer{root, env_value(root / "env", "MV_PG_SOCKET_DIR"),
                    env_value(root / "env", "MV_PG_PASSWORD_FILE")};
}

Sql::Sql(const PgServer& server, const std::string& database) {
    const std::string uri = server.uri(database);
    const std::string password = server.password();
    const char* keys[] = {"dbname", "password", nullptr};
    const char* values[] = {uri.c_str(), password.c_str(), nullptr};
    m_conn = PQconnectdbParams(keys, values, 1);
    if (PQstatus(m_conn) != CONNECTION_OK) {
        ADD_FAILURE() << "cannot connect to " << uri << ": " << PQerrorMessage(m_conn);
    }
}

Sql::~Sql() {
    PQfinish(m_conn);
}

void Sql::exec(const std::string& sql) {
    PGresult* result = PQexec(m_conn, sql.c_str());
    const auto status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        ADD_FAILURE() << sql << "\n" << PQresultErrorMessage(result);
    }
    PQclear(result);
}

std::vector<std::vector<std::string>> Sql::rows(const std::string& sql) {
    std::vector<std::vector<std::string>> rows;
    PGresult* result = PQexec(m_conn, sql.c_str());
    if (PQresultStatus(result) != PGRES_TUPLES_OK) {
        ADD_FAILURE() << sql << "\n" << PQresultErrorMessage(result);
    } else {
        for (int r = 0; r < PQntuples(result); ++r) {
            auto& row = rows.emplace_back();
            for (int c = 0; c < PQnfields(result); ++c) {
                row.emplace_back(PQgetvalue(result, r, c));
            }
        }
    }
    PQclear(result);
    return rows;
}

std::string Sql::value(const std::string& sql) {
    const auto found = rows(sql);
    if (found.size() != 1 || found[0].size() != 1) {
        ADD_FAILURE() << sql << "\nreturned " << found.size() << " rows, expected one value";
        return "";
    }
    return found[0][0];
}

void fresh_database(const PgServer& server, const std::string& name) {
    Sql sql(server, "postgres");
    sql.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    sql.exec("CREATE DATABASE " + name);
}

} // namespace mv::test
