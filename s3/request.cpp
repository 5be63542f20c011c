#include "s3/request.hpp"

#include <curl/curl.h>

#include <fmt/format.h>

#include "s3/failure.hpp"
#include "util/fs.hpp"

namespace mv::s3 {

namespace {

// SHA-256 of nothing: the payload hash of requests without a body.
constexpr const char* k_empty_sha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct Exchange {
    CURL* curl = nullptr;
    const Request* request = nullptr;
    const Transport* transport = nullptr;
    Answer* answer = nullptr;
    std::uint64_t sent = 0;
    std::string read_error;
    std::string write_error;
};

std::size_t receive_answer(char* data, std::size_t size, std::size_t count, void* user) {
    auto* exchange = static_cast<Exchange*>(user);
    const std::size_t bytes = size * count;
    Answer& answer = *exchange->answer;
    answer.received += bytes;
    // An error body never lands in the caller's file: the status is known by now.
    long status = 0;
    curl_easy_getinfo(exchange->curl, CURLINFO_RESPONSE_CODE, &status);
    if (exchange->request->sink_fd >= 0 && status / 100 == 2) {
        auto written = fs::write_all(exchange->request->sink_fd, data, bytes, "the download");
        if (!written) {
            exchange->write_error = written.error();
            return 0;
        }
        return bytes;
    }
    const std::uint64_t room = exchange->request->max_text - answer.text.size();
    answer.text.append(data, std::min<std::uint64_t>(bytes, room));
    if (bytes > room) {
        answer.too_large = true;
        return 0; // abort: a listing or object larger than the caller accepts
    }
    return bytes;
}

std::size_t send_body(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* exchange = static_cast<Exchange*>(user);
    auto got = read_body(*exchange->request->body, exchange->sent, buffer, size * count);
    if (!got) {
        exchange->read_error = got.error();
        return CURL_READFUNC_ABORT;
    }
    exchange->sent += *got;
    return *got;
}

int progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const auto* stop = static_cast<Exchange*>(user)->transport->stop;
    return stop != nullptr && stop->load() ? 1 : 0;
}

struct HeaderList {
    curl_slist* list = nullptr;
    ~HeaderList() { curl_slist_free_all(list); }
    void add(const std::string& header) { list = curl_slist_append(list, header.c_str()); }
};

void set_method(CURL* curl, const Request& request, Exchange& exchange) {
    switch (request.method) {
    case Method::get:
        break;
    case Method::head:
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
        break;
    case Method::put:
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                         static_cast<curl_off_t>(request.body->size()));
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, send_body);
        curl_easy_setopt(curl, CURLOPT_READDATA, &exchange);
        break;
    case Method::post:
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body->data.data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body->data.size()));
        break;
    case Method::del:
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "DELETE");
        break;
    }
}

void set_transport(CURL* curl, const Transport& transport, const std::string& sigv4) {
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(curl, CURLOPT_USERNAME, transport.credentials->access_key_id.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, transport.credentials->secret_access_key.c_str());
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, transport.connect_timeout_seconds);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, transport.stall_timeout_seconds);
    curl_easy_setopt(curl, CURLOPT_MAX_SEND_SPEED_LARGE,
                     static_cast<curl_off_t>(transport.max_send_bytes_per_second));
    curl_easy_setopt(curl, CURLOPT_MAX_RECV_SPEED_LARGE,
                     static_cast<curl_off_t>(transport.max_receive_bytes_per_second));
}

void read_answer_headers(CURL* curl, Answer& answer) {
    curl_header* header = nullptr;
    if (curl_easy_header(curl, "ETag", 0, CURLH_HEADER, -1, &header) == CURLHE_OK) {
        answer.etag = header->value;
    }
    curl_off_t length = -1;
    if (curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK &&
        length >= 0) {
        answer.content_length = static_cast<std::uint64_t>(length);
    }
}

} // namespace

Answer perform_request(void* handle, const Transport& transport, const Request& request) {
    CURL* curl = static_cast<CURL*>(handle);
    curl_easy_reset(curl);
    Answer answer;
    Exchange exchange{curl, &request, &transport, &answer, 0, {}, {}};
    HeaderList headers;
    for (const auto& header : request.headers) {
        headers.add(header);
    }
    if (request.body) {
        auto digests = value_or_throw(digest(*request.body), request.operation + ": ");
        if (!request.expected_sha256.empty() && digests.sha256_hex != request.expected_sha256) {
            throw Error(fmt::format("{}: the local file does not hash to its name (SHA-256 {}, "
                                    "expected {}); it is damaged and is not uploaded: run "
                                    "`modelvaultctl verify --read-data`",
                                    request.operation, digests.sha256_hex, request.expected_sha256),
                        ErrorCode::corrupt);
        }
        headers.add("x-amz-content-sha256: " + digests.sha256_hex);
        headers.add("Content-MD5: " + digests.md5_base64);
    } else {
        headers.add(std::string("x-amz-content-sha256: ") + k_empty_sha256);
    }
    const std::string sigv4 = fmt::format("aws:amz:{}:s3", transport.region);
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    set_transport(curl, transport, sigv4);
    set_method(curl, request, exchange);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, receive_answer);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &exchange);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    const CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (!exchange.read_error.empty()) {
        throw Error(request.operation + ": " + exchange.read_error, ErrorCode::io);
    }
    if (!exchange.write_error.empty()) {
        throw Error(request.operation + ": " + exchange.write_error, ErrorCode::io);
    }
    if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && answer.too_large)) {
        answer.http_status = status;
        read_answer_headers(curl, answer);
    } else {
        answer.cancelled = code == CURLE_ABORTED_BY_CALLBACK;
        answer.curl_error = error[0] != '\0' ? error : curl_easy_strerror(code);
    }
    return answer;
}

} // namespace mv::s3
