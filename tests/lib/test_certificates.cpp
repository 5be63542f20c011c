#include "tests/lib/test_certificates.hpp"

#include <stdexcept>
#include <vector>

#include "tests/lib/process.hpp"

namespace mv::test {

namespace {

// P-256 keys: made in milliseconds, accepted at OpenSSL's default security level.
void openssl_req(std::vector<std::string> args) {
    std::vector<std::string> argv = {
        "openssl", "req",   "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes",  "-days", "2"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto made = run(argv);
    if (made.exit_code != 0) {
        throw std::runtime_error("openssl req failed (scripts/deps.sh test installs openssl): " +
                                 made.err);
    }
}

} // namespace

TestCertificates::TestCertificates(std::filesystem::path dir)
    : m_dir(std::move(dir)), m_ca(m_dir / "ca.pem"), m_ca_key(m_dir / "ca.key") {
    std::filesystem::create_directories(m_dir);
    openssl_req({"-keyout", m_ca_key.string(), "-out", m_ca.string(), "-subj",
                 "/CN=modelvault test authority"});
}

TestCertificates::Issued TestCertificates::issue(const std::string& name) const {
    return make(name, true);
}

TestCertificates::Issued TestCertificates::self_signed(const std::string& name) const {
    return make(name, false);
}

TestCertificates::Issued TestCertificates::make(const std::string& name,
                                                bool signed_by_authority) const {
    Issued issued{m_dir / (name + ".pem"), m_dir / (name + ".key")};
    std::filesystem::remove(issued.key); // openssl writes a new key file with mode 0600
    std::vector<std::string> args = {"-keyout", issued.key.string(),
                                     "-out",    issued.cert.string(),
                                     "-subj",   "/CN=" + name,
                                     "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                                     "-addext", "basicConstraints=critical,CA:FALSE"};
    if (signed_by_authority) {
        args.insert(args.end(), {"-CA", m_ca.string(), "-CAkey", m_ca_key.string()});
    }
    openssl_req(args);
    std::filesystem::permissions(issued.key, std::filesystem::perms::owner_read |
                                                 std::filesystem::perms::owner_write);
    return issued;
}

} // namespace mv::test
