#pragma once
// Where a replica's objects live: endpoint, bucket, key prefix and region, and the URLs
// of its objects. Custom endpoints (Ceph RGW, MinIO) use path-style addressing
// (`ENDPOINT/BUCKET/KEY`); without an endpoint, AWS S3's virtual-hosted style
// (`https://BUCKET.s3.REGION.amazonaws.com/KEY`). docs/CONFIG.md, "replicas".

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/expected.hpp"

namespace mv::s3 {

struct Location {
    std::string endpoint; ///< "http(s)://host[:port]", no path; empty: AWS S3 itself
    std::string bucket;
    std::string prefix; ///< prepended to every key; empty or ending in '/'
    std::string region = "us-east-1";
};

/// A query parameter; values are encoded by query_string().
using QueryParameter = std::pair<std::string, std::string>;

/// Checks what a request needs: an http(s) endpoint without path or query, a bucket
/// name S3 accepts (3-63 of [a-z0-9.-]), a prefix without a leading '/' that ends in
/// '/', a region of [a-z0-9-]. The message names the field and the fix.
Result<void> validate(const Location& location);

/// RFC 3986 percent-encoding of everything but unreserved characters (and '/' when
/// `keep_slash`): the encoding SigV4's canonical request uses, so the URL we send is
/// its own canonical form (curl 7.88 signs the path and query as given).
std::string uri_encode(std::string_view text, bool keep_slash);

/// "a=1&b=2" with parameters sorted by name, each name and value uri_encode()d, and
/// "name=" for a parameter without value (SigV4 requires that form; "?uploads" alone
/// fails the signature).
std::string query_string(std::vector<QueryParameter> parameters);

/// The URL of object `key` (below the prefix), with `query` appended when not empty.
std::string object_url(const Location& location, std::string_view key,
                       const std::vector<QueryParameter>& query = {});
/// The URL of the bucket itself (listings, bucket creation).
std::string bucket_url(const Location& location, const std::vector<QueryParameter>& query = {});

/// "bucket/prefix" or "s3://bucket/prefix at endpoint", for messages.
std::string describe(const Location& location);

} // namespace mv::s3
