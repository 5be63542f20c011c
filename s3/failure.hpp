#pragma once
// Why an S3 request failed, classified so that status can say what to do: wrong
// credentials, a missing bucket and an unreachable endpoint each have their own kind
// and message (docs/CONFIG.md, "replicas").

#include <optional>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace mv::s3 {

enum class FailureKind {
    unreachable,       ///< no HTTP answer: DNS, refused connection, timeout, TLS
    wrong_credentials, ///< the key id is unknown or the secret does not match
    access_denied,     ///< the key is valid but may not do this
    missing_bucket,    ///< the bucket does not exist
    not_found,         ///< the object (or multipart upload) does not exist
    checksum_mismatch, ///< the server received other bytes than we hashed
    server,            ///< a 5xx or a throttling answer: worth retrying later
    rejected,          ///< any other 4xx: the request itself is wrong
    cancelled,         ///< stopped by our side (shutdown)
};

/// "unreachable", "wrong_credentials", ...: the name status shows.
std::string_view to_string(FailureKind kind);

/// True for failures that may go away by themselves (network, server, throttling).
bool is_transient(FailureKind kind);

/// What one failed request tells us.
struct FailureReport {
    std::optional<long> http_status; ///< nullopt: no answer
    std::string s3_code;             ///< <Code> of the error body ("NoSuchBucket"), or empty
    std::string detail;              ///< curl's message, or the body's <Message>
};

/// An S3 request that failed; what() names the operation, the object and the fix.
class S3Error : public Error {
public:
    S3Error(FailureKind kind, std::string message);
    FailureKind kind() const noexcept { return m_kind; }

private:
    FailureKind m_kind;
};

/// The kind of failure `report` describes.
FailureKind classify(const FailureReport& report);

/// The error for `report` on `operation` ("PUT packs/ab/…") against `where` (the
/// endpoint and bucket), with a sentence saying what to do; `credentials_file` is named
/// when the credentials are wrong.
S3Error make_error(const FailureReport& report, std::string_view operation, std::string_view where,
                   std::string_view credentials_file);

} // namespace mv::s3
