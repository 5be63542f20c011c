// The HTTP API over TLS through the real daemon (docs/HTTP.md, "TLS"): a certificate made
// by the `openssl` command, the daemon listening on every interface, and Python's ssl
// client trusting only the test's certificate authority (host name checked, nothing
// "insecure"). Plain HTTP to that port gets no answer; a reload serves a renewed
// certificate to new connections; each unusable file stops the start with its reason.
#include <fstream>
#include <regex>
#include <sys/stat.h>

#include <gmock/gmock.h>

#include "tests/integration/http_fixture.hpp"
#include "tests/lib/test_certificates.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class TlsTest : public HttpFixture {
protected:
    void SetUp() override {
        HttpFixture::SetUp();
        config["http"] = {{"listen", "0.0.0.0:0"},
                          {"tokens_file", tokens.string()},
                          {"tls_cert", server.cert.string()},
                          {"tls_key", server.key.string()}};
    }

    // The port the daemon logged ("serving HTTP on https://0.0.0.0:PORT/ ...").
    std::string port() {
        if (m_port.empty()) {
            m_port = from_log(R"(serving HTTP on https://0\.0\.0\.0:(\d+)/)");
        }
        return m_port;
    }
    // Over the loopback interface, by the name the certificate has.
    std::string url(const std::string& path) { return "https://127.0.0.1:" + port() + path; }

    /// GET `path` with the read token, trusting the test's authority.
    json get(const std::string& path, std::vector<std::string> more = {}) {
        std::vector<std::string> args = {
            "request",  "GET",
            url(path),  std::string("Authorization: Bearer ") + k_read_token,
            "--cafile", certificates.authority().string()};
        args.insert(args.end(), more.begin(), more.end());
        return client(args);
    }
    /// "AB:CD:…", the SHA-256 of `cert`'s DER, as the client prints the server's.
    std::string fingerprint(const std::filesystem::path& cert) {
        const auto out =
            run({"openssl", "x509", "-in", cert.string(), "-noout", "-fingerprint", "-sha256"});
        EXPECT_EQ(out.exit_code, 0) << out.err;
        const auto equals = out.out.find('=');
        return out.out.substr(equals + 1, out.out.find('\n') - equals - 1);
    }

    TestCertificates certificates{dir / "pki"};
    TestCertificates::Issued server = certificates.issue("server");
    std::string m_port;
};

TEST_F(TlsTest, TheApiAndExportsAreServedOverTlsOnly) {
    config["watches"][0]["triggers"] = {{"on_change", false}};
    write_model("a.pkl", pickle("weights-a for an export over TLS"));
    start_daemon();
    ASSERT_EQ(ctl({"backup", "lab/a.pkl"}).exit_code, 0);
    // An API call, with the certificate checked against the authority.
    auto answer = get("/api/v1/models");
    ASSERT_EQ(answer["status"], 200) << answer;
    EXPECT_EQ(answer["peer_sha256"], fingerprint(server.cert));
    EXPECT_EQ(json::parse(answer["body"].get<std::string>())["models"][0]["latest"], "1.0.0");
    // An export is byte for byte the archive modelvaultctl export writes.
    const auto over_tls = dir / "tls.tar.zst";
    answer = get("/api/v1/models/lab%2Fa.pkl/versions/1.0.0/export", {"--out", over_tls.string()});
    ASSERT_EQ(answer["status"], 200) << answer;
    const auto by_ctl = dir / "ctl.tar.zst";
    ASSERT_EQ(ctl({"export", "lab/a.pkl@1.0.0", "-o", by_ctl.string()}).exit_code, 0);
    EXPECT_EQ(read_file(over_tls), read_file(by_ctl))
        << "not the bytes modelvaultctl export writes";
    // The limits hold as in plain HTTP: a body over 1 MiB gets its 413.
    answer = client({"request", "POST", url("/api/v1/backup"),
                     std::string("Authorization: Bearer ") + k_write_token, "--body-size",
                     std::to_string((1 << 20) + 1), "--cafile", certificates.authority().string()});
    EXPECT_EQ(answer["status"], 413) << answer;
    // A browser's session cookie may only travel over TLS.
    answer = get(std::string("/?token=") + k_read_token);
    ASSERT_EQ(answer["status"], 303) << answer;
    EXPECT_THAT(answer["headers"]["Set-Cookie"].get<std::string>(),
                ::testing::EndsWith("; HttpOnly; SameSite=Strict; Path=/; Secure"));
    // Plain HTTP to the TLS port: no HTTP answer, the connection is closed.
    answer = client({"raw", "127.0.0.1", port(), "GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n"});
    EXPECT_EQ(answer["answer"].get<std::string>().find("HTTP/"), std::string::npos) << answer;
    EXPECT_TRUE(wait_until(
        [&] { return daemon_log().find("TLS handshake failed") != std::string::npos; }, 20s));
    // A client that does not trust the certificate refuses the server.
    const TestCertificates strangers(dir / "strangers");
    answer = client(
        {"request", "GET", url("/api/v1/status"), "--cafile", strangers.authority().string()});
    EXPECT_EQ(answer["status"], 0);
    EXPECT_NE(answer["body"].get<std::string>().find("CERTIFICATE_VERIFY_FAILED"),
              std::string::npos)
        << answer;
    EXPECT_EQ(get("/api/v1/status")["status"], 200);
}

TEST_F(TlsTest, AReloadServesARenewedCertificateAndRejectsAnUnusableOne) {
    start_daemon();
    const std::string first = fingerprint(server.cert);
    EXPECT_EQ(get("/api/v1/status")["peer_sha256"], first);
    // Renewed in place, as certbot does: a reload serves it to new connections.
    certificates.issue("server");
    const std::string renewed = fingerprint(server.cert);
    ASSERT_NE(renewed, first);
    auto reloaded = ctl({"reload"});
    ASSERT_EQ(reloaded.exit_code, 0) << reloaded.err;
    auto answer = get("/api/v1/status");
    EXPECT_EQ(answer["status"], 200) << answer;
    EXPECT_EQ(answer["peer_sha256"], renewed);
    EXPECT_NE(daemon_log().find("reload: new HTTPS connections get the TLS certificate " +
                                server.cert.string() + ": subject CN=server"),
              std::string::npos);
    // A key that is not the certificate's: the reload is rejected, the renewed one stays.
    const auto other = certificates.issue("other");
    config["http"]["tls_key"] = other.key.string();
    std::ofstream(config_file) << config.dump(2);
    reloaded = ctl({"reload"});
    EXPECT_EQ(reloaded.exit_code, 1);
    EXPECT_NE(reloaded.err.find("the HTTP TLS key " + other.key.string() +
                                " cannot be used with the certificate " + server.cert.string()),
              std::string::npos)
        << reloaded.err;
    EXPECT_NE(reloaded.err.find("key values mismatch"), std::string::npos) << reloaded.err;
    EXPECT_EQ(get("/api/v1/status")["peer_sha256"], renewed);
}

TEST_F(TlsTest, EachUnusableTlsConfigStopsTheStartWithItsReason) {
    const auto other = certificates.issue("other");
    const auto readable = certificates.issue("readable");
    ::chmod(readable.key.c_str(), 0644);
    struct Case {
        json http;
        std::string message;
    };
    const std::string tokens_file = tokens.string();
    const std::vector<Case> cases = {
        {{{"listen", "127.0.0.1:0"},
          {"tokens_file", tokens_file},
          {"tls_cert", server.cert.string()}},
         "http.tls_cert: set without \"tls_key\": add \"tls_key\""},
        {{{"listen", "0.0.0.0:0"}, {"tokens_file", tokens_file}},
         "\"0.0.0.0\" is not a loopback address: serving the network needs TLS"},
        {{{"listen", "0.0.0.0:0"},
          {"tokens_file", tokens_file},
          {"tls_cert", (dir / "missing.pem").string()},
          {"tls_key", server.key.string()}},
         "cannot read the HTTP TLS certificate: cannot open " + (dir / "missing.pem").string() +
             ": No such file or directory"},
        {{{"listen", "0.0.0.0:0"},
          {"tokens_file", tokens_file},
          {"tls_cert", readable.cert.string()},
          {"tls_key", readable.key.string()}},
         "the HTTP TLS key " + readable.key.string() + " has mode 0644: other users could read " +
             "the private key; run `chmod 600 " + readable.key.string() + "`"},
        {{{"listen", "0.0.0.0:0"},
          {"tokens_file", tokens_file},
          {"tls_cert", server.cert.string()},
          {"tls_key", other.key.string()}},
         "cannot be used with the certificate " + server.cert.string()},
    };
    for (const auto& c : cases) {
        std::filesystem::remove(log_file);
        config["http"] = c.http;
        launch_daemon();
        EXPECT_EQ(daemon->wait(20s), 78) << c.message;
        EXPECT_NE(daemon_log().find(c.message), std::string::npos) << daemon_log();
    }
}

} // namespace
} // namespace mv::test
