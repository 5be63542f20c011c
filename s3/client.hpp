#pragma once
// One S3 connection: the object operations a replica needs, through libcurl (Debian
// 7.88), which signs each request with AWS SigV4 (CURLOPT_AWS_SIGV4). We set
// x-amz-content-sha256 ourselves (that curl does not) and Content-MD5 on every upload,
// so the server refuses bytes that differ from what we hashed. Blocking; one Client per
// thread (TransferPool runs several). Every failure throws S3Error, classified.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3/body.hpp"
#include "s3/credentials.hpp"
#include "s3/failure.hpp"
#include "s3/location.hpp"
#include "s3/xml_answers.hpp"

namespace mv::s3 {

struct Request; // s3/request.hpp
struct Answer;

struct ClientOptions {
    std::uint64_t max_send_bytes_per_second = 0;    ///< 0: unlimited
    std::uint64_t max_receive_bytes_per_second = 0; ///< 0: unlimited
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds stall_timeout{60};  ///< abort a transfer that moves nothing this long
    const std::atomic<bool>* stop = nullptr; ///< when set and true, transfers abort (cancelled)
    std::string credentials_file;            ///< named in wrong-credentials messages
};

/// What HEAD tells about an object.
struct ObjectInfo {
    std::uint64_t size = 0;
    std::string etag;
};

/// A byte range [first, first + length) of an object.
struct ByteRange {
    std::uint64_t first = 0;
    std::uint64_t length = 0;
};

class Client {
public:
    Client(Location location, Credentials credentials, ClientOptions options = {});
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    const Location& location() const { return m_location; }

    /// Stores `body` as `key` (below the prefix), replacing any object of that name. With
    /// `expected_sha256`, a body that hashes otherwise is refused (Error, corrupt) unsent.
    void put(std::string_view key, const Body& body, std::string_view expected_sha256 = {});
    /// The object's bytes (or `range` of them), refusing more than `max_size` bytes.
    std::string get(std::string_view key, std::optional<ByteRange> range = {},
                    std::uint64_t max_size = 64u << 20);
    /// Writes the whole object to `fd` from its current position; returns its size.
    std::uint64_t download(std::string_view key, int fd);
    /// The object's size and ETag, or nullopt when there is no such object.
    std::optional<ObjectInfo> head(std::string_view key);
    /// Deletes `key`; deleting a missing object succeeds (S3 semantics).
    void remove(std::string_view key);
    /// Calls `each` for every object whose key starts with `prefix` (below the
    /// location's prefix), in key order, one ListObjectsV2 page of `page_size` at a time;
    /// keys are given without the location's prefix.
    void list(std::string_view prefix, const std::function<void(const ListedObject&)>& each,
              int page_size = 1000);

    /// Multipart upload (for objects over 5 GiB, and to send large ones in parallel).
    std::string create_upload(std::string_view key);
    /// Uploads part `number` (1..10000; every part but the last at least 5 MiB); returns
    /// the ETag to pass to complete_upload().
    std::string upload_part(std::string_view key, std::string_view upload_id, int number,
                            const Body& body);
    void complete_upload(std::string_view key, std::string_view upload_id,
                         const std::vector<UploadedPart>& parts);
    /// Abandons an upload and frees its parts; a missing upload is not an error.
    void abort_upload(std::string_view key, std::string_view upload_id);

    /// Creates the bucket (tests and first set-up); an existing bucket of ours is fine.
    void create_bucket();

private:
    Answer perform(const Request& request);
    [[noreturn]] void fail(const Request& request, const Answer& answer);

    Location m_location;
    Credentials m_credentials;
    ClientOptions m_options;
    void* m_curl; ///< CURL*, kept out of the header
};

} // namespace mv::s3
