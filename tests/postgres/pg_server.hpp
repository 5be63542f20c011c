#pragma once
// The PostgreSQL server the ctest fixture postgres_server started (postgres.sh), and a
// small libpq client for tests to set up databases and read what the catalog wrote.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

struct pg_conn; // libpq's PGconn

namespace mv::test {

struct PgServer {
    std::filesystem::path dir;           ///< the fixture's folder (MV_PG_DIR)
    std::filesystem::path socket_dir;    ///< the private Unix socket folder
    std::filesystem::path password_file; ///< mode 0600, for the daemon's password_file

    /// A connection URI for `database` as the user postgres, without the password.
    std::string uri(const std::string& database) const;
    std::string password() const;
    /// Stops or restarts the server (outages); fails the test when it cannot.
    void stop() const;
    void start() const;
};

/// The fixture's server, or nullopt with the reason in `why` (not installed, no fixture).
std::optional<PgServer> pg_server(std::string& why);

/// One libpq connection; every method fails the calling test on an error.
class Sql {
public:
    Sql(const PgServer& server, const std::string& database);
    ~Sql();
    Sql(const Sql&) = delete;
    Sql& operator=(const Sql&) = delete;

    /// Runs `sql` (several statements allowed when nothing is returned).
    void exec(const std::string& sql);
    /// The rows of a query, each value as text ("" for NULL).
    std::vector<std::vector<std::string>> rows(const std::string& sql);
    /// The single value of a query.
    std::string value(const std::string& sql);

private:
    ::pg_conn* m_conn = nullptr;
};

/// A new, empty database called `name` (dropped first when it exists).
void fresh_database(const PgServer& server, const std::string& name);

} // namespace mv::test

/// Skips (or, under MV_REQUIRE_ALL=1, fails) the test when there is no server; else
/// declares `const PgServer server`.
#define MV_NEED_POSTGRES(server)                                                                   \
    std::string server##_why;                                                                      \
    const auto server##_found = ::mv::test::pg_server(server##_why);                               \
    if (!server##_found) {                                                                         \
        MV_SKIP_OR_FAIL(server##_why);                                                             \
    }                                                                                              \
    const ::mv::test::PgServer& server = *server##_found
