#include "s3/transfer_pool.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace mv::s3 {

namespace {

constexpr std::uint64_t k_min_part_size = 5u << 20; // S3's minimum for all parts but the last
constexpr std::uint64_t k_max_parts = 10000;

std::uint64_t share(std::uint64_t total, unsigned parallel) {
    return total == 0 ? 0 : std::max<std::uint64_t>(1, total / parallel);
}

std::uint64_t effective_part_size(std::uint64_t size, std::uint64_t part_size) {
    return std::max({part_size, k_min_part_size, (size + k_max_parts - 1) / k_max_parts});
}

} // namespace

TransferPool::TransferPool(const Location& location, const Credentials& credentials,
                           ClientOptions options, unsigned parallel) {
    parallel = std::max(1u, parallel);
    options.max_send_bytes_per_second = share(options.max_send_bytes_per_second, parallel);
    options.max_receive_bytes_per_second = share(options.max_receive_bytes_per_second, parallel);
    for (unsigned i = 0; i < parallel; ++i) {
        m_clients.push_back(std::make_unique<Client>(location, credentials, options));
    }
}

void TransferPool::run(const std::vector<Task>& tasks) {
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr first_failure;
    std::mutex failure_mutex;
    auto work = [&](Client& client) {
        for (std::size_t i = next++; i < tasks.size() && !failed; i = next++) {
            try {
                tasks[i](client);
            } catch (...) {
                const std::lock_guard lock(failure_mutex);
                if (!first_failure) {
                    first_failure = std::current_exception();
                }
                failed = true;
            }
        }
    };
    const std::size_t threads = std::min<std::size_t>(m_clients.size(), tasks.size());
    {
        std::vector<std::jthread> workers;
        for (std::size_t i = 1; i < threads; ++i) {
            workers.emplace_back(work, std::ref(*m_clients[i]));
        }
        if (threads > 0) {
            work(*m_clients.front());
        }
    }
    if (first_failure) {
        std::rethrow_exception(first_failure);
    }
}

bool fits_one_put(std::uint64_t size, std::uint64_t part_size) {
    return size <= effective_part_size(size, part_size);
}

void upload_file(TransferPool& pool, std::string_view key, int fd, std::uint64_t size,
                 std::uint64_t part_size, std::string_view expected_sha256) {
    part_size = effective_part_size(size, part_size);
    if (size <= part_size) {
        pool.client().put(key, file_body(fd, 0, size), expected_sha256);
        return;
    }
    if (!expected_sha256.empty()) {
        // Parts are hashed one by one; the whole file is checked once before any is sent.
        const auto digests = value_or_throw(digest(file_body(fd, 0, size)), "");
        if (digests.sha256_hex != expected_sha256) {
            throw Error(fmt::format("{}: the local file does not hash to its name (SHA-256 {}); "
                                    "it is damaged and is not uploaded: run `modelvaultctl "
                                    "verify --read-data`",
                                    key, digests.sha256_hex),
                        ErrorCode::corrupt);
        }
    }
    Client& client = pool.client();
    const std::string upload_id = client.create_upload(key);
    const std::uint64_t count = (size + part_size - 1) / part_size;
    std::vector<UploadedPart> parts(count);
    std::vector<TransferPool::Task> tasks;
    for (std::uint64_t i = 0; i < count; ++i) {
        tasks.emplace_back([&, i](Client& worker) {
            const std::uint64_t offset = i * part_size;
            const int number = static_cast<int>(i + 1);
            const Body body = file_body(fd, offset, std::min(part_size, size - offset));
            parts[i] = UploadedPart{number, worker.upload_part(key, upload_id, number, body)};
        });
    }
    try {
        pool.run(tasks);
        client.complete_upload(key, upload_id, parts);
    } catch (...) {
        try {
            client.abort_upload(key, upload_id);
        } catch (const std::exception& error) {
            // The bucket's lifecycle rules (or the next upload) reclaim the parts.
            spdlog::warn("could not abort the multipart upload of {}: {}", key, error.what());
        }
        throw;
    }
}

} // namespace mv::s3
