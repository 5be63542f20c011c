#include "http/tls.hpp"

#include <cerrno>
#include <sys/stat.h>

#include <boost/asio/ssl/context.hpp>
#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "util/error.hpp"
#include "util/fs.hpp"

namespace mv::http {

namespace ssl = boost::asio::ssl;

namespace {

// PEM files of a certificate chain and a key are a few KiB; a bigger one is a mistake.
constexpr std::size_t k_max_pem_size = 1u << 20;

constexpr const char* k_see = "docs/HTTP.md, \"TLS\"";

// What OpenSSL says went wrong ("PEM routines: no start line"), from the oldest entry of
// its error queue (the cause; later ones say where it surfaced), and empties the queue.
std::string openssl_reason() {
    const unsigned long first = ERR_get_error();
    ERR_clear_error();
    if (first == 0) {
        return "OpenSSL gave no reason";
    }
    const char* library = ERR_lib_error_string(first);
    const char* reason = ERR_reason_error_string(first);
    return fmt::format("{}: {}", library ? library : "OpenSSL", reason ? reason : "unknown error");
}

struct BioDeleter {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using UniqueBio = std::unique_ptr<BIO, BioDeleter>;

UniqueBio memory_bio(const std::string& text) {
    UniqueBio bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    if (!bio) {
        throw Error("OpenSSL could not allocate a memory BIO", ErrorCode::internal);
    }
    return bio;
}

// Reads `file`; when `private_only`, first refuses a file its group or others can use, on
// the descriptor that is then read (no swap in between), as the tokens file is checked.
std::string read_pem(const std::filesystem::path& file, const char* what, bool private_only) {
    auto fd = fs::open_for_reading(file);
    if (!fd) {
        throw Error(fmt::format("cannot read the HTTP TLS {}: {}", what, fd.error()),
                    ErrorCode::io);
    }
    struct stat st {};
    if (::fstat(fd->get(), &st) != 0) {
        throw Error(errno_message(
                        fmt::format("cannot stat the HTTP TLS {} {}", what, file.string()), errno),
                    ErrorCode::io);
    }
    if (private_only && (st.st_mode & 077) != 0) {
        throw Error(fmt::format("the HTTP TLS {} {} has mode {:04o}: other users could read the "
                                "private key; run `chmod 600 {}`",
                                what, file.string(), st.st_mode & 07777, file.string()),
                    ErrorCode::forbidden);
    }
    auto text = fs::read_all(fd->get(), file, k_max_pem_size);
    if (!text) {
        throw Error(fmt::format("cannot read the HTTP TLS {}: {}", what, text.error()),
                    ErrorCode::io);
    }
    return std::move(*text);
}

// The server's certificate, then the intermediates that follow it in the file.
void use_chain(SSL_CTX* context, const std::string& pem, const std::filesystem::path& file) {
    const auto fail = [&](const std::string& reason) {
        return Error(fmt::format("the HTTP TLS certificate {} cannot be used: {}; it must hold "
                                 "the server's PEM certificate, then its intermediates ({})",
                                 file.string(), reason, k_see),
                     ErrorCode::invalid_argument);
    };
    ERR_clear_error();
    const auto bio = memory_bio(pem);
    X509* leaf = PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr);
    if (leaf == nullptr) {
        throw fail(openssl_reason());
    }
    const int used = SSL_CTX_use_certificate(context, leaf);
    X509_free(leaf);
    if (used != 1) {
        throw fail(openssl_reason());
    }
    SSL_CTX_clear_chain_certs(context);
    while (X509* next = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        if (SSL_CTX_add0_chain_cert(context, next) != 1) { // takes `next` only on success
            X509_free(next);
            throw fail(openssl_reason());
        }
    }
    // The loop ends at the end of the file ("no start line"), or at a damaged block.
    const unsigned long last = ERR_peek_last_error();
    if (ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE) {
        ERR_clear_error();
    } else if (last != 0) {
        throw fail(openssl_reason());
    }
}

// An encrypted key would make OpenSSL ask for its passphrase on the terminal: refuse it.
int no_passphrase(char*, int, int, void*) {
    return 0;
}

void use_key(SSL_CTX* context, std::string& pem, const std::filesystem::path& key,
             const std::filesystem::path& cert) {
    ERR_clear_error();
    SSL_CTX_set_default_passwd_cb(context, no_passphrase);
    EVP_PKEY* private_key = nullptr;
    {
        const auto bio = memory_bio(pem);
        private_key = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr);
    }
    OPENSSL_cleanse(pem.data(), pem.size());
    const bool used = private_key != nullptr && SSL_CTX_use_PrivateKey(context, private_key) == 1 &&
                      SSL_CTX_check_private_key(context) == 1;
    EVP_PKEY_free(private_key);
    if (!used) {
        throw Error(fmt::format("the HTTP TLS key {} cannot be used with the certificate {}: {}; "
                                "give the unencrypted PEM private key the certificate was made "
                                "for ({})",
                                key.string(), cert.string(), openssl_reason(), k_see),
                    ErrorCode::invalid_argument);
    }
}

} // namespace

std::shared_ptr<ssl::context> load_tls_context(const std::filesystem::path& cert,
                                               const std::filesystem::path& key) {
    const std::string chain = read_pem(cert, "certificate", false);
    std::string private_key = read_pem(key, "key", true);
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = context->native_handle();
    // TLS 1.0 and 1.1 are deprecated (RFC 8996); renegotiation only serves attacks here.
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    use_chain(native, chain, cert);
    use_key(native, private_key, key, cert);
    return context;
}

std::string describe_certificate(ssl::context& context) {
    X509* certificate = SSL_CTX_get0_certificate(context.native_handle());
    if (certificate == nullptr) {
        return "no certificate";
    }
    UniqueBio out(BIO_new(BIO_s_mem()));
    if (!out) {
        return "a certificate";
    }
    BIO_puts(out.get(), "subject ");
    X509_NAME_print_ex(out.get(), X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253);
    BIO_puts(out.get(), ", valid until ");
    ASN1_TIME_print(out.get(), X509_get0_notAfter(certificate));
    char* data = nullptr;
    const long size = BIO_get_mem_data(out.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

} // namespace mv::http
