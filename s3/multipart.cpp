// Client's multipart-upload operations (docs: AWS S3 API, CreateMultipartUpload,
// UploadPart, CompleteMultipartUpload, AbortMultipartUpload).
#include <fmt/format.h>

#include "s3/client.hpp"
#include "s3/request.hpp"

namespace mv::s3 {

namespace {

constexpr int k_max_part_number = 10000;

} // namespace

std::string Client::create_upload(std::string_view key) {
    Request request;
    request.method = Method::post;
    request.url = object_url(m_location, key, {{"uploads", ""}});
    request.operation = fmt::format("POST {} (create multipart upload)", key);
    request.body = memory_body({});
    const Answer answer = perform(request);
    if (!answer.http_status || *answer.http_status / 100 != 2) {
        fail(request, answer);
    }
    auto upload_id = parse_upload_id(answer.text);
    if (!upload_id) {
        throw S3Error(FailureKind::rejected, fmt::format("{} on {}: {}", request.operation,
                                                         describe(m_location), upload_id.error()));
    }
    return *upload_id;
}

std::string Client::upload_part(std::string_view key, std::string_view upload_id, int number,
                                const Body& body) {
    if (number < 1 || number > k_max_part_number) {
        throw Error(fmt::format("part number {} is outside 1..{}", number, k_max_part_number),
                    ErrorCode::internal);
    }
    Request request;
    request.method = Method::put;
    request.url =
        object_url(m_location, key,
                   {{"partNumber", std::to_string(number)}, {"uploadId", std::string(upload_id)}});
    request.operation = fmt::format("PUT {} (part {})", key, number);
    request.body = body;
    request.max_text = k_max_error_text;
    const Answer answer = perform(request);
    if (!answer.http_status || *answer.http_status / 100 != 2) {
        fail(request, answer);
    }
    if (answer.etag.empty()) {
        throw S3Error(FailureKind::rejected, fmt::format("{} on {}: the answer has no ETag",
                                                         request.operation, describe(m_location)));
    }
    return answer.etag;
}

void Client::complete_upload(std::string_view key, std::string_view upload_id,
                             const std::vector<UploadedPart>& parts) {
    const std::string xml = complete_upload_body(parts);
    Request request;
    request.method = Method::post;
    request.url = object_url(m_location, key, {{"uploadId", std::string(upload_id)}});
    request.operation = fmt::format("POST {} (complete multipart upload)", key);
    request.headers.push_back("Content-Type: application/xml");
    request.body = memory_body(xml);
    request.max_text = k_max_error_text;
    const Answer answer = perform(request);
    // S3 may answer 200 and still fail: the error is then in the body.
    if (!answer.http_status || *answer.http_status / 100 != 2 ||
        !parse_error_body(answer.text).code.empty()) {
        fail(request, answer);
    }
}

void Client::abort_upload(std::string_view key, std::string_view upload_id) {
    Request request;
    request.method = Method::del;
    request.url = object_url(m_location, key, {{"uploadId", std::string(upload_id)}});
    request.operation = fmt::format("DELETE {} (abort multipart upload)", key);
    request.max_text = k_max_error_text;
    const Answer answer = perform(request);
    if ((!answer.http_status || *answer.http_status / 100 != 2) && answer.http_status != 404) {
        fail(request, answer);
    }
}

void Client::create_bucket() {
    Request request;
    request.method = Method::put;
    request.url = bucket_url(m_location);
    request.operation = fmt::format("PUT bucket {}", m_location.bucket);
    request.body = memory_body({});
    request.max_text = k_max_error_text;
    const Answer answer = perform(request);
    if (!answer.http_status || *answer.http_status / 100 != 2) {
        if (parse_error_body(answer.text).code != "BucketAlreadyOwnedByYou") {
            fail(request, answer);
        }
    }
}

} // namespace mv::s3
