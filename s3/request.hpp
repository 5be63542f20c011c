#pragma once
// One HTTP exchange with an S3 service, as Client builds it and perform_request() runs
// it through libcurl. Internal to s3/ (client.cpp, request.cpp).

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "s3/body.hpp"
#include "s3/credentials.hpp"

namespace mv::s3 {

enum class Method { get, head, put, post, del };

/// How much of an error answer is kept (S3 error documents are a few hundred bytes).
constexpr std::uint64_t k_max_error_text = 64u << 10;

struct Request {
    Method method = Method::get;
    std::string url;
    std::string operation; ///< "PUT packs/ab/…", for messages
    std::vector<std::string> headers;
    std::optional<Body> body;          ///< PUT and POST only
    std::string expected_sha256;       ///< when set, a body that hashes otherwise is not sent
    int sink_fd = -1;                  ///< GET: write the answer here instead of to `text`
    std::uint64_t max_text = 1u << 20; ///< larger answers abort (a 2xx) or are cut (errors)
};

struct Answer {
    std::optional<long> http_status; ///< nullopt: no answer
    std::string curl_error;          ///< why there was no answer
    bool cancelled = false;
    bool too_large = false;     ///< the answer exceeded max_text
    std::string text;           ///< the answer's body (when not written to sink_fd)
    std::uint64_t received = 0; ///< bytes of body received
    std::string etag;           ///< the ETag header, when there was one
    std::optional<std::uint64_t> content_length;
};

struct Transport {
    std::string region;
    const Credentials* credentials = nullptr;
    std::uint64_t max_send_bytes_per_second = 0;
    std::uint64_t max_receive_bytes_per_second = 0;
    long connect_timeout_seconds = 10;
    long stall_timeout_seconds = 60;
    const std::atomic<bool>* stop = nullptr;
};

/// Runs `request` on the easy handle `curl` (reset first). Adds x-amz-content-sha256
/// and, with a body, Content-MD5. Throws S3Error only when the body cannot be read.
Answer perform_request(void* curl, const Transport& transport, const Request& request);

} // namespace mv::s3
