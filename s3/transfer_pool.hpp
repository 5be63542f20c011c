#pragma once
// Parallel transfers: `parallel` Clients (one connection each), and the bandwidth limit
// shared between them. Tasks run on at most `parallel` threads at once; used for the
// parts of a multipart upload and for the objects of a version (docs/CONFIG.md,
// "replicas": `parallel`, `bandwidth`).

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "s3/client.hpp"

namespace mv::s3 {

class TransferPool {
public:
    /// `options.max_send_bytes_per_second` (and receive) is the total for the pool: each
    /// client gets its share. `parallel` is at least 1.
    TransferPool(const Location& location, const Credentials& credentials, ClientOptions options,
                 unsigned parallel);
    TransferPool(const TransferPool&) = delete;
    TransferPool& operator=(const TransferPool&) = delete;

    unsigned parallel() const { return static_cast<unsigned>(m_clients.size()); }
    /// The first client, for small requests that need no parallelism.
    Client& client() { return *m_clients.front(); }

    using Task = std::function<void(Client&)>;
    /// Runs every task, at most parallel() at once, and waits for all of them. After a
    /// task fails no new one starts; the first failure is rethrown once the running ones
    /// have finished.
    void run(const std::vector<Task>& tasks);

private:
    std::vector<std::unique_ptr<Client>> m_clients;
};

/// Stores `size` bytes of the file open as `fd` as `key`: one PUT up to `part_size`,
/// else a multipart upload of `part_size` parts (grown to stay within 10000 parts) sent
/// in parallel, aborted when a part fails. Memory use does not depend on `size`. With
/// `expected_sha256`, a file that hashes otherwise is refused (Error, corrupt) unsent.
void upload_file(TransferPool& pool, std::string_view key, int fd, std::uint64_t size,
                 std::uint64_t part_size = 16u << 20, std::string_view expected_sha256 = {});

/// Whether upload_file() sends `size` bytes in one PUT (else in parts).
bool fits_one_put(std::uint64_t size, std::uint64_t part_size = 16u << 20);

} // namespace mv::s3
