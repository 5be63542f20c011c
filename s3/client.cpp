#include "s3/client.hpp"

#include <curl/curl.h>
#include <mutex>

#include <fmt/format.h>

#include "s3/request.hpp"

namespace mv::s3 {

namespace {

Transport transport_of(const Location& location, const Credentials& credentials,
                       const ClientOptions& options) {
    Transport transport;
    transport.region = location.region;
    transport.credentials = &credentials;
    transport.max_send_bytes_per_second = options.max_send_bytes_per_second;
    transport.max_receive_bytes_per_second = options.max_receive_bytes_per_second;
    transport.connect_timeout_seconds = static_cast<long>(options.connect_timeout.count());
    transport.stall_timeout_seconds = static_cast<long>(options.stall_timeout.count());
    transport.stop = options.stop;
    return transport;
}

bool succeeded(const Answer& answer) {
    return answer.http_status && *answer.http_status / 100 == 2 && !answer.too_large;
}

} // namespace

Client::Client(Location location, Credentials credentials, ClientOptions options)
    : m_location(std::move(location)), m_credentials(std::move(credentials)),
      m_options(std::move(options)) {
    // curl_global_init() is not thread-safe: run it once, before the first handle.
    static std::once_flag initialised;
    std::call_once(initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    m_curl = curl_easy_init();
    if (m_curl == nullptr) {
        throw Error("libcurl could not create a handle", ErrorCode::internal);
    }
}

Client::~Client() {
    curl_easy_cleanup(static_cast<CURL*>(m_curl));
}

Answer Client::perform(const Request& request) {
    return perform_request(m_curl, transport_of(m_location, m_credentials, m_options), request);
}

void Client::fail(const Request& request, const Answer& answer) {
    FailureReport report;
    report.http_status = answer.http_status;
    if (answer.cancelled) {
        throw S3Error(FailureKind::cancelled, request.operation + " was cancelled");
    }
    if (!answer.http_status) {
        report.detail = answer.curl_error;
    } else if (answer.too_large) {
        throw S3Error(FailureKind::rejected,
                      fmt::format("{} on {}: the answer is larger than the {} bytes expected",
                                  request.operation, describe(m_location), request.max_text));
    } else {
        const ErrorBody body = parse_error_body(answer.text);
        report.s3_code = body.code;
        report.detail = body.message;
    }
    throw make_error(report, request.operation, describe(m_location), m_options.credentials_file);
}

void Client::put(std::string_view key, const Body& body, std::string_view expected_sha256) {
    Request request;
    request.expected_sha256 = expected_sha256;
    request.method = Method::put;
    request.url = object_url(m_location, key);
    request.operation = fmt::format("PUT {}", key);
    request.body = body;
    request.max_text = k_max_error_text;
    if (const Answer answer = perform(request); !succeeded(answer)) {
        fail(request, answer);
    }
}

std::string Client::get(std::string_view key, std::optional<ByteRange> range,
                        std::uint64_t max_size) {
    Request request;
    request.url = object_url(m_location, key);
    request.operation = fmt::format("GET {}", key);
    request.max_text = std::max(max_size, k_max_error_text);
    if (range) {
        if (range->length == 0) {
            return {};
        }
        request.headers.push_back(
            fmt::format("Range: bytes={}-{}", range->first, range->first + range->length - 1));
    }
    const Answer answer = perform(request);
    if (succeeded(answer) && answer.text.size() > max_size) {
        throw S3Error(FailureKind::rejected,
                      fmt::format("GET {} on {}: the object is larger than the {} bytes expected",
                                  key, describe(m_location), max_size));
    }
    if (!succeeded(answer)) {
        fail(request, answer);
    }
    if (range && *answer.http_status != 206) {
        throw S3Error(FailureKind::rejected,
                      fmt::format("GET {} on {}: the service ignored the Range header (HTTP "
                                  "{}); use an S3 service that supports ranged reads",
                                  key, describe(m_location), *answer.http_status));
    }
    return answer.text;
}

std::uint64_t Client::download(std::string_view key, int fd) {
    Request request;
    request.url = object_url(m_location, key);
    request.operation = fmt::format("GET {}", key);
    request.sink_fd = fd;
    request.max_text = k_max_error_text;
    const Answer answer = perform(request);
    if (!succeeded(answer)) {
        fail(request, answer);
    }
    if (answer.content_length && *answer.content_length != answer.received) {
        throw S3Error(FailureKind::server,
                      fmt::format("GET {} on {}: received {} of {} bytes", key,
                                  describe(m_location), answer.received, *answer.content_length));
    }
    return answer.received;
}

std::optional<ObjectInfo> Client::head(std::string_view key) {
    Request request;
    request.method = Method::head;
    request.url = object_url(m_location, key);
    request.operation = fmt::format("HEAD {}", key);
    const Answer answer = perform(request);
    if (answer.http_status == 404) {
        return std::nullopt;
    }
    if (!succeeded(answer)) {
        fail(request, answer);
    }
    return ObjectInfo{answer.content_length.value_or(0), answer.etag};
}

void Client::remove(std::string_view key) {
    Request request;
    request.method = Method::del;
    request.url = object_url(m_location, key);
    request.operation = fmt::format("DELETE {}", key);
    request.max_text = k_max_error_text;
    const Answer answer = perform(request);
    if (!succeeded(answer) && answer.http_status != 404) {
        fail(request, answer);
    }
    if (answer.http_status == 404 && parse_error_body(answer.text).code == "NoSuchBucket") {
        fail(request, answer);
    }
}

void Client::list(std::string_view prefix, const std::function<void(const ListedObject&)>& each,
                  int page_size) {
    const std::string full_prefix = m_location.prefix + std::string(prefix);
    std::string token;
    do {
        std::vector<QueryParameter> query = {
            {"list-type", "2"}, {"max-keys", std::to_string(page_size)}, {"prefix", full_prefix}};
        if (!token.empty()) {
            query.emplace_back("continuation-token", token);
        }
        Request request;
        request.url = bucket_url(m_location, query);
        request.operation = fmt::format("LIST {}", prefix);
        request.max_text = 16u << 20;
        const Answer answer = perform(request);
        if (!succeeded(answer)) {
            fail(request, answer);
        }
        auto page = parse_list_page(answer.text);
        if (!page) {
            throw S3Error(FailureKind::rejected, fmt::format("LIST {} on {}: {}", prefix,
                                                             describe(m_location), page.error()));
        }
        for (auto& object : page->objects) {
            if (object.key.compare(0, m_location.prefix.size(), m_location.prefix) == 0) {
                object.key.erase(0, m_location.prefix.size());
                each(object);
            }
        }
        token = page->truncated ? page->next_continuation_token : std::string();
    } while (!token.empty());
}

} // namespace mv::s3
