#include "s3/failure.hpp"

#include <fmt/format.h>

namespace mv::s3 {

namespace {

std::string_view advice(FailureKind kind) {
    switch (kind) {
    case FailureKind::unreachable:
        return "check s3.endpoint, the network and that the storage service is running";
    case FailureKind::wrong_credentials:
        return "the access key or secret is wrong: fix aws_access_key_id and "
               "aws_secret_access_key in";
    case FailureKind::access_denied:
        return "the key may not do this: grant it s3:GetObject, s3:PutObject, s3:DeleteObject "
               "and s3:ListBucket on the bucket";
    case FailureKind::missing_bucket:
        return "the bucket does not exist: create it (e.g. `aws s3 mb`) or fix s3.bucket";
    case FailureKind::not_found:
        return "the object is not on the replica";
    case FailureKind::checksum_mismatch:
        return "the server received other bytes than were sent (the file changed, or the "
               "network corrupted them); the upload will be repeated";
    case FailureKind::server:
        return "the storage service failed or is throttling; the request will be retried";
    case FailureKind::rejected:
        return "the storage service refused the request";
    case FailureKind::cancelled:
        return "the daemon is stopping";
    }
    return "";
}

} // namespace

std::string_view to_string(FailureKind kind) {
    switch (kind) {
    case FailureKind::unreachable:
        return "unreachable";
    case FailureKind::wrong_credentials:
        return "wrong_credentials";
    case FailureKind::access_denied:
        return "access_denied";
    case FailureKind::missing_bucket:
        return "missing_bucket";
    case FailureKind::not_found:
        return "not_found";
    case FailureKind::checksum_mismatch:
        return "checksum_mismatch";
    case FailureKind::server:
        return "server";
    case FailureKind::rejected:
        return "rejected";
    case FailureKind::cancelled:
        return "cancelled";
    }
    return "unknown";
}

bool is_transient(FailureKind kind) {
    return kind == FailureKind::unreachable || kind == FailureKind::server ||
           kind == FailureKind::checksum_mismatch;
}

S3Error::S3Error(FailureKind kind, std::string message)
    : Error(std::move(message), kind == FailureKind::not_found   ? ErrorCode::not_found
                                : kind == FailureKind::cancelled ? ErrorCode::cancelled
                                                                 : ErrorCode::unavailable),
      m_kind(kind) {}

FailureKind classify(const FailureReport& report) {
    if (!report.http_status) {
        return FailureKind::unreachable;
    }
    const long status = *report.http_status;
    const auto& code = report.s3_code;
    if (code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "InvalidToken" ||
        code == "ExpiredToken") {
        return FailureKind::wrong_credentials;
    }
    if (code == "NoSuchBucket") {
        return FailureKind::missing_bucket;
    }
    if (code == "BadDigest" || code == "XAmzContentSHA256Mismatch" || code == "InvalidDigest") {
        return FailureKind::checksum_mismatch;
    }
    if (code == "NoSuchKey" || code == "NoSuchUpload" || status == 404) {
        return FailureKind::not_found;
    }
    if (code == "SlowDown" || code == "RequestTimeout" || status >= 500 || status == 429) {
        return FailureKind::server;
    }
    if (status == 403) {
        return FailureKind::access_denied;
    }
    return FailureKind::rejected;
}

S3Error make_error(const FailureReport& report, std::string_view operation, std::string_view where,
                   std::string_view credentials_file) {
    const FailureKind kind = classify(report);
    std::string answer;
    if (report.http_status) {
        answer = fmt::format("HTTP {}", *report.http_status);
        if (!report.s3_code.empty()) {
            answer += ' ' + report.s3_code;
        }
        if (!report.detail.empty()) {
            answer += ": " + report.detail;
        }
    } else {
        answer = report.detail.empty() ? std::string("no answer") : report.detail;
    }
    std::string message =
        fmt::format("{} on {} failed ({}): {}", operation, where, answer, advice(kind));
    if (kind == FailureKind::wrong_credentials) {
        message += fmt::format(" {}", credentials_file);
    }
    return S3Error(kind, std::move(message));
}

} // namespace mv::s3
