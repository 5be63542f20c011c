// The HTTP server's certificate and key (docs/HTTP.md, "TLS"): what load_tls_context
// accepts, and that each refusal names the file, gives OpenSSL's reason and says what to do.
// Certificates are made by the `openssl` command in the test's temp dir.
#include <sys/stat.h>

#include <boost/asio/ssl/context.hpp>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "http/tls.hpp"
#include "tests/lib/process.hpp"
#include "tests/lib/temp_dir.hpp"
#include "tests/lib/test_certificates.hpp"
#include "util/error.hpp"

namespace mv::http {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class TlsFiles : public ::testing::Test {
protected:
    std::string refusal(const std::filesystem::path& cert, const std::filesystem::path& key) {
        try {
            load_tls_context(cert, key);
        } catch (const Error& e) {
            return e.what();
        }
        return "accepted";
    }

    test::TempDir dir{"tls"};
    test::TestCertificates certificates{dir / "pki"};
    test::TestCertificates::Issued server = certificates.issue("server");
};

TEST_F(TlsFiles, ACertificateAndItsKeyMakeAServerContextForTls12AndNewer) {
    const auto context = load_tls_context(server.cert, server.key);
    ASSERT_TRUE(context);
    EXPECT_EQ(SSL_CTX_get_min_proto_version(context->native_handle()), TLS1_2_VERSION);
    EXPECT_THAT(describe_certificate(*context),
                AllOf(HasSubstr("subject CN=server"), HasSubstr("valid until ")));
    // A chain file: the server's certificate, then the authority that signed it.
    const auto chain = dir / "chain.pem";
    test::write_file(chain,
                     test::read_file(server.cert) + test::read_file(certificates.authority()));
    const auto with_chain = load_tls_context(chain, server.key);
    STACK_OF(X509)* extra = nullptr;
    SSL_CTX_get0_chain_certs(with_chain->native_handle(), &extra);
    ASSERT_NE(extra, nullptr);
    EXPECT_EQ(sk_X509_num(extra), 1);
}

TEST_F(TlsFiles, AMissingFileIsNamed) {
    EXPECT_THAT(refusal(dir / "none.pem", server.key),
                AllOf(HasSubstr("cannot read the HTTP TLS certificate"),
                      HasSubstr((dir / "none.pem").string()),
                      HasSubstr("No such file or directory")));
    EXPECT_THAT(
        refusal(server.cert, dir / "none.key"),
        AllOf(HasSubstr("cannot read the HTTP TLS key"), HasSubstr((dir / "none.key").string())));
    EXPECT_THAT(refusal(dir.path(), server.key), HasSubstr("Is a directory"));
}

TEST_F(TlsFiles, AKeyOthersCanReadIsRefusedWithTheChmodToRun) {
    for (const mode_t mode : {0640, 0604, 0620}) {
        ::chmod(server.key.c_str(), mode);
        EXPECT_THAT(refusal(server.cert, server.key),
                    HasSubstr(fmt::format("the HTTP TLS key {} has mode {:04o}: other users could "
                                          "read the private key; run `chmod 600 {}`",
                                          server.key.string(), mode, server.key.string())));
    }
    ::chmod(server.key.c_str(), 0400);
    EXPECT_EQ(refusal(server.cert, server.key), "accepted");
}

TEST_F(TlsFiles, AKeyOfAnotherCertificateIsRefused) {
    const auto other = certificates.issue("other");
    EXPECT_THAT(refusal(server.cert, other.key),
                AllOf(HasSubstr(fmt::format("the HTTP TLS key {} cannot be used with the "
                                            "certificate {}: ",
                                            other.key.string(), server.cert.string())),
                      HasSubstr("key values mismatch"),
                      HasSubstr("give the unencrypted PEM private key the certificate was made "
                                "for")));
}

TEST_F(TlsFiles, FilesThatAreNotPemOrAreSwappedAreRefused) {
    const auto garbage = dir / "garbage.pem";
    test::write_file(garbage, "not a certificate\n");
    EXPECT_THAT(
        refusal(garbage, server.key),
        AllOf(HasSubstr("the HTTP TLS certificate " + garbage.string() + " cannot be used: "),
              HasSubstr("no start line"),
              HasSubstr("it must hold the server's PEM certificate, then its "
                        "intermediates")));
    // The certificate given as the key (its mode is fine): no private key in it.
    const auto cert_as_key = dir / "cert-as-key.pem";
    test::write_file(cert_as_key, test::read_file(server.cert));
    ::chmod(cert_as_key.c_str(), 0600);
    EXPECT_THAT(refusal(server.cert, cert_as_key),
                HasSubstr("the HTTP TLS key " + cert_as_key.string() + " cannot be used"));
    // A damaged block after the server's certificate.
    const auto damaged = dir / "damaged.pem";
    test::write_file(damaged, test::read_file(server.cert) +
                                  "-----BEGIN CERTIFICATE-----\nAAAA!!!!\n-----END "
                                  "CERTIFICATE-----\n");
    EXPECT_THAT(refusal(damaged, server.key),
                HasSubstr("the HTTP TLS certificate " + damaged.string() + " cannot be used"));
}

TEST_F(TlsFiles, AnEncryptedKeyIsRefusedWithoutAskingForItsPassphrase) {
    const auto encrypted = dir / "encrypted.key";
    const auto made = test::run({"openssl", "pkey", "-in", server.key.string(), "-aes256",
                                 "-passout", "pass:secret", "-out", encrypted.string()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    ::chmod(encrypted.c_str(), 0600);
    EXPECT_THAT(refusal(server.cert, encrypted),
                AllOf(HasSubstr("the HTTP TLS key " + encrypted.string() + " cannot be used"),
                      HasSubstr("unencrypted")));
}

} // namespace
} // namespace mv::http
