#pragma once
// One HTTP POST through libcurl (Debian libcurl4-openssl-dev): http and https only, no
// redirects, bounded in time, abandoned when `stop` is requested. One poster per thread;
// it keeps connections open between requests.

#include <chrono>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace mv::notify {

struct PostResult {
    std::optional<long> http_status; ///< nullopt: no answer (see `error`)
    std::string error;               ///< why there was no answer, or the start of a non-2xx body
};

class HttpPoster {
public:
    HttpPoster();
    ~HttpPoster();
    HttpPoster(const HttpPoster&) = delete;
    HttpPoster& operator=(const HttpPoster&) = delete;

    /// POSTs `body` with `headers` ("Name: value") to `url` within `timeout`.
    PostResult post(const std::string& url, const std::string& body,
                    const std::vector<std::string>& headers, std::chrono::milliseconds timeout,
                    const std::stop_token& stop);

private:
    void* m_curl; ///< CURL*, kept out of the header
};

} // namespace mv::notify
