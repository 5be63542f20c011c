#include "s3/location.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace mv::s3 {

namespace {

bool is_unreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

bool only(std::string_view text, std::string_view allowed_punctuation) {
    return std::all_of(text.begin(), text.end(), [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               allowed_punctuation.find(c) != std::string_view::npos;
    });
}

Result<void> validate_endpoint(std::string_view endpoint) {
    if (endpoint.empty()) {
        return {};
    }
    const auto scheme_end = endpoint.find("://");
    const auto scheme = endpoint.substr(0, scheme_end);
    if (scheme_end == std::string_view::npos || (scheme != "http" && scheme != "https")) {
        return failure(
            fmt::format("s3.endpoint \"{}\" must start with http:// or https://", endpoint));
    }
    const auto rest = endpoint.substr(scheme_end + 3);
    if (rest.empty() || rest.find_first_of("/?#@ ") != std::string_view::npos) {
        return failure(fmt::format("s3.endpoint \"{}\" must be scheme://host[:port] only, "
                                   "without path, query or user (the bucket is s3.bucket)",
                                   endpoint));
    }
    return {};
}

std::string base_url(const Location& location) {
    if (location.endpoint.empty()) {
        return fmt::format("https://{}.s3.{}.amazonaws.com/", location.bucket, location.region);
    }
    return fmt::format("{}/{}/", location.endpoint, location.bucket);
}

std::string with_query(std::string url, const std::vector<QueryParameter>& query) {
    if (!query.empty()) {
        url += '?';
        url += query_string(query);
    }
    return url;
}

} // namespace

Result<void> validate(const Location& location) {
    if (auto ok = validate_endpoint(location.endpoint); !ok) {
        return ok;
    }
    const auto& bucket = location.bucket;
    if (bucket.size() < 3 || bucket.size() > 63 || !only(bucket, ".-") || bucket.front() == '.' ||
        bucket.front() == '-' || bucket.back() == '.' || bucket.back() == '-') {
        return failure(fmt::format("s3.bucket \"{}\" is not a bucket name: use 3 to 63 "
                                   "lower-case letters, digits, '.' and '-'",
                                   bucket));
    }
    const auto& prefix = location.prefix;
    if (!prefix.empty() && (prefix.front() == '/' || prefix.back() != '/' ||
                            prefix.find("//") != std::string::npos || prefix.size() > 512)) {
        return failure(fmt::format("s3.prefix \"{}\" must not start with '/', must end with "
                                   "'/' and have no empty component (e.g. \"lab/vault/\")",
                                   prefix));
    }
    if (location.region.empty() || location.region.size() > 64 || !only(location.region, "-")) {
        return failure(fmt::format("s3.region \"{}\" must be a region name such as "
                                   "\"us-east-1\" (lower-case letters, digits, '-')",
                                   location.region));
    }
    return {};
}

std::string uri_encode(std::string_view text, bool keep_slash) {
    std::string encoded;
    encoded.reserve(text.size());
    for (const char c : text) {
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            encoded += c;
        } else {
            encoded += fmt::format("%{:02X}", static_cast<unsigned char>(c));
        }
    }
    return encoded;
}

std::string query_string(std::vector<QueryParameter> parameters) {
    std::sort(parameters.begin(), parameters.end());
    std::string query;
    for (const auto& [name, value] : parameters) {
        if (!query.empty()) {
            query += '&';
        }
        query += uri_encode(name, false);
        query += '=';
        query += uri_encode(value, false);
    }
    return query;
}

std::string object_url(const Location& location, std::string_view key,
                       const std::vector<QueryParameter>& query) {
    return with_query(base_url(location) + uri_encode(location.prefix + std::string(key), true),
                      query);
}

std::string bucket_url(const Location& location, const std::vector<QueryParameter>& query) {
    return with_query(base_url(location), query);
}

std::string describe(const Location& location) {
    if (location.endpoint.empty()) {
        return fmt::format("s3://{}/{}", location.bucket, location.prefix);
    }
    return fmt::format("s3://{}/{} at {}", location.bucket, location.prefix, location.endpoint);
}

} // namespace mv::s3
