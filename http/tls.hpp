#pragma once
// TLS for the HTTP server (docs/HTTP.md, "TLS"): the server's certificate chain and
// private key, read from PEM files into an OpenSSL context that Boost.Asio's ssl streams
// use. The key file is checked like the tokens file: only its owner may read it.

#include <filesystem>
#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
} // namespace boost::asio::ssl

namespace mv::http {

/// Reads `cert` (a PEM certificate chain, the server's certificate first) and `key` (its
/// PEM private key, not encrypted) into a server context that speaks TLS 1.2 and newer.
/// Throws Error naming the file and OpenSSL's reason when a file cannot be read or holds
/// no usable PEM, when the key can be read or written by its group or others (the message
/// says `chmod 600`), or when the key is not the certificate's.
std::shared_ptr<boost::asio::ssl::context> load_tls_context(const std::filesystem::path& cert,
                                                            const std::filesystem::path& key);

/// "subject CN=…, valid until Dec  1 08:00:00 2027 GMT": the certificate `context` serves,
/// for the daemon's log (so that a renewal shows there).
std::string describe_certificate(boost::asio::ssl::context& context);

} // namespace mv::http
