#pragma once
// The XML documents S3 exchanges (ListObjectsV2, multipart uploads, error bodies), read
// and written with libxml2: pure functions of bytes, so they are unit-tested alone.
// Elements are matched by local name: AWS and RGW put them in S3's namespace, MinIO
// sometimes not.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.hpp"

namespace mv::s3 {

/// <Code> and <Message> of an <Error> document; both empty when `body` is not one.
struct ErrorBody {
    std::string code;
    std::string message;
};
ErrorBody parse_error_body(std::string_view body);

/// One object of a listing; `key` is the full key (prefix included).
struct ListedObject {
    std::string key;
    std::uint64_t size = 0;
    std::string etag;
};

/// One page of ListObjectsV2.
struct ListPage {
    std::vector<ListedObject> objects;
    bool truncated = false;
    std::string next_continuation_token;
};
Result<ListPage> parse_list_page(std::string_view body);

/// The <UploadId> of an InitiateMultipartUploadResult.
Result<std::string> parse_upload_id(std::string_view body);

/// A part already uploaded: its number (from 1) and the ETag the server answered.
struct UploadedPart {
    int number = 0;
    std::string etag;
};

/// The CompleteMultipartUpload request body for `parts` (in part-number order).
std::string complete_upload_body(const std::vector<UploadedPart>& parts);

} // namespace mv::s3
