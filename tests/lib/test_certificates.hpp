#pragma once
// Certificates for the TLS tests (docs/HTTP.md, "TLS"): a throwaway certificate
// authority in a temp dir and server certificates it signs, made with the `openssl`
// command as docs/HTTP.md shows an admin. Clients trust the authority, never "insecure".

#include <filesystem>
#include <string>

namespace mv::test {

class TestCertificates {
public:
    /// Makes the authority (ca.pem, ca.key) in `dir`; fails the test when openssl cannot.
    explicit TestCertificates(std::filesystem::path dir);

    struct Issued {
        std::filesystem::path cert; ///< PEM, for IP 127.0.0.1 and the name localhost
        std::filesystem::path key;  ///< PEM, unencrypted, mode 0600
    };
    /// A server certificate with common name `name` (NAME.pem, NAME.key), signed by the
    /// authority; a new one for the same name replaces the files, as a renewal does.
    Issued issue(const std::string& name) const;
    /// A certificate and key signed by nobody (a self-signed one, not trusted by clients).
    Issued self_signed(const std::string& name) const;

    /// The authority's certificate: what a client trusts.
    const std::filesystem::path& authority() const { return m_ca; }

private:
    Issued make(const std::string& name, bool signed_by_authority) const;

    std::filesystem::path m_dir;
    std::filesystem::path m_ca;
    std::filesystem::path m_ca_key;
};

} // namespace mv::test
