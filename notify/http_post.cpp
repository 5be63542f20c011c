#include "notify/http_post.hpp"

#include <curl/curl.h>
#include <mutex>

#include <fmt/format.h>

#include "util/error.hpp"

namespace mv::notify {

namespace {

constexpr std::size_t k_kept_answer = 200; // bytes of an error answer quoted in the log
constexpr long k_connect_timeout_ms = 5000;

struct Transfer {
    std::string answer;
    const std::stop_token* stop = nullptr;
};

std::size_t keep_answer(char* data, std::size_t size, std::size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const std::size_t bytes = size * count;
    if (transfer->answer.size() < k_kept_answer) {
        transfer->answer.append(data, std::min(bytes, k_kept_answer - transfer->answer.size()));
    }
    return bytes;
}

int check_stop(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<Transfer*>(user)->stop->stop_requested() ? 1 : 0;
}

struct HeaderList {
    curl_slist* list = nullptr;
    ~HeaderList() { curl_slist_free_all(list); }
};

} // namespace

HttpPoster::HttpPoster() {
    // curl_global_init() is not thread-safe: run it once, before the first handle.
    static std::once_flag initialised;
    std::call_once(initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    m_curl = curl_easy_init();
    if (m_curl == nullptr) {
        throw Error("libcurl could not create a handle", ErrorCode::internal);
    }
}

HttpPoster::~HttpPoster() {
    curl_easy_cleanup(static_cast<CURL*>(m_curl));
}

PostResult HttpPoster::post(const std::string& url, const std::string& body,
                            const std::vector<std::string>& headers,
                            std::chrono::milliseconds timeout, const std::stop_token& stop) {
    CURL* curl = static_cast<CURL*>(m_curl);
    curl_easy_reset(curl);
    Transfer transfer;
    transfer.stop = &stop;
    HeaderList list;
    for (const auto& header : headers) {
        list.list = curl_slist_append(list.list, header.c_str());
    }
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list.list);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, k_connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_answer);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, check_stop);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    const CURLcode code = curl_easy_perform(curl);
    PostResult result;
    if (code != CURLE_OK) {
        result.error = error[0] != '\0' ? error : curl_easy_strerror(code);
        return result;
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    result.http_status = status;
    if (status < 200 || status >= 300) {
        result.error = transfer.answer;
    }
    return result;
}

} // namespace mv::notify
