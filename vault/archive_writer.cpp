#include "vault/archive_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include "util/escape.hpp"
#include "util/fs.hpp"
#include "vault/archive_reader.hpp"
#include "vault/codec.hpp"
#include "vault/io_chunk.hpp"
#include "vault/model_format.hpp"
#include "vault/sha256.hpp"
#include "vault/stream_verifier.hpp"
#include "vault/zstd_encoder.hpp"

namespace mv::vault {

namespace {

constexpr std::size_t k_tar_block = 512;
constexpr std::size_t k_tar_end_of_archive = 2 * k_tar_block;

std::size_t round_up(std::size_t value, std::size_t multiple) {
    return (value + multiple - 1) / multiple * multiple;
}

std::int64_t to_ns(const struct timespec& ts) {
    return saturating_ns(ts.tv_sec, ts.tv_nsec);
}

bool same_file_state(const struct stat& a, const struct stat& b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
           to_ns(a.st_mtim) == to_ns(b.st_mtim) && to_ns(a.st_ctim) == to_ns(b.st_ctim);
}

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

// The tar bytes of a single member `manifest.json` holding `json` padded with spaces to
// `capacity` bytes, without the end-of-archive blocks (the data part carries those).
std::string manifest_member(std::string_view json, std::size_t capacity, SystemTime mtime) {
    std::string content(json);
    content += '\n';
    content.resize(capacity, ' ');
    std::string tar;
    ArchivePtr writer(archive_write_new(), &archive_write_free);
    std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                               &archive_entry_free);
    archive_entry_set_pathname(entry.get(), "manifest.json");
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(content.size()));
    archive_entry_set_mtime(entry.get(), std::chrono::system_clock::to_time_t(mtime), 0);
    const auto write = [](struct archive*, void* out, const void* buffer,
                          std::size_t length) -> la_ssize_t {
        static_cast<std::string*>(out)->append(static_cast<const char*>(buffer), length);
        return static_cast<la_ssize_t>(length);
    };
    if (archive_write_set_format_pax_restricted(writer.get()) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(writer.get(), 0) != ARCHIVE_OK ||
        archive_write_open2(writer.get(), &tar, nullptr, write, nullptr, nullptr) != ARCHIVE_OK ||
        archive_write_header(writer.get(), entry.get()) != ARCHIVE_OK ||
        archive_write_data(writer.get(), content.data(), content.size()) !=
            static_cast<la_ssize_t>(content.size()) ||
        archive_write_close(writer.get()) != ARCHIVE_OK) {
        throw Error(fmt::format("libarchive cannot write manifest.json: {}",
                                archive_error_string(writer.get())
                                    ? archive_error_string(writer.get())
                                    : "unknown error"));
    }
    if (tar.size() != manifest_region_size(capacity) + k_tar_end_of_archive) {
        throw Error(fmt::format("internal error: manifest member is {} bytes, expected {}",
                                tar.size(), manifest_region_size(capacity) + k_tar_end_of_archive));
    }
    tar.resize(tar.size() - k_tar_end_of_archive);
    return tar;
}

/// Reads `fd` from its start to its end in chunks, handing each to `consume`. Throws
/// Error(io) on a read error and Error(cancelled) when `stop` is requested.
void read_to_end(int fd, const std::filesystem::path& path, const std::stop_token& stop,
                 const std::function<void(const char*, std::size_t)>& consume) {
    std::unique_ptr<char[]> buffer(new char[k_io_chunk]);
    off_t offset = 0;
    while (true) {
        if (stop.stop_requested()) {
            throw Error(fmt::format("reading back {} was cancelled", path.filename().string()),
                        ErrorCode::cancelled);
        }
        const ssize_t got = ::pread(fd, buffer.get(), k_io_chunk, offset);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            throw Error(errno_message(fmt::format("cannot read {}", path.string()), errno),
                        ErrorCode::io);
        }
        if (got == 0) {
            return;
        }
        consume(buffer.get(), static_cast<std::size_t>(got));
        offset += got;
    }
}

} // namespace

std::size_t manifest_region_size(std::size_t capacity) {
    return k_tar_block + round_up(capacity, k_tar_block);
}

MemberNames member_names_for(const std::vector<std::string>& names) {
    const auto outside_ascii = [](const std::string& name) {
        return std::ranges::any_of(name,
                                   [](char c) { return static_cast<unsigned char>(c) > 0x7f; });
    };
    return std::ranges::any_of(names, outside_ascii) ? MemberNames::binary : MemberNames::ascii;
}

ArchiveWriter::ArchiveWriter(std::filesystem::path path, const config::Compression& compression,
                             std::size_t manifest_capacity, Verification verification,
                             MemberNames names)
    : m_path(std::move(path)), m_compression(compression), m_manifest_capacity(manifest_capacity),
      m_reserved(0), m_archive(archive_write_new(), &archive_write_free),
      m_buffer(new char[k_io_chunk]) {
    const std::size_t region = manifest_region_size(manifest_capacity);
    m_reserved = compression.codec == config::Codec::none
                     ? region
                     : round_up(compressed_bound(compression.codec, region) +
                                    minimum_padding(compression.codec),
                                4);
    m_fd.reset(::open(m_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
    if (!m_fd) {
        throw Error(errno_message(fmt::format("cannot create {}", m_path.string()), errno),
                    code_for_errno(errno));
    }
    try {
        start(compression, verification, names);
    } catch (...) {
        // The destructor does not run for a half-built writer: leave nothing in tmp/.
        m_fd.reset();
        ::unlink(m_path.c_str());
        throw;
    }
}

void ArchiveWriter::start(const config::Compression& compression, Verification verification,
                          MemberNames names) {
    if (::lseek(m_fd.get(), static_cast<off_t>(m_reserved), SEEK_SET) < 0) {
        fail("seek");
    }
    struct archive* a = m_archive.get();
    if (compression.codec == config::Codec::zstd) {
        // libarchive writes the tar stream; zstd is driven directly (bounded memory).
        m_zstd = std::make_unique<ZstdEncoder>(compression.level, compression_threads(compression));
        if (archive_write_add_filter_none(a) != ARCHIVE_OK) {
            fail("start");
        }
    } else {
        value_or_throw(add_compression_filter(a, compression), "", ErrorCode::internal);
    }
    if (verification == Verification::in_flight) {
        m_data_sha = std::make_unique<Sha256>();
        m_verifier = std::make_unique<StreamVerifier>();
    }
    // pax stays plain ustar when nothing needs an extended header. Names outside ASCII
    // are kept byte-exact with hdrcharset=BINARY (no locale conversion); libarchive then
    // marks every member so, and GNU tar warns about each, hence only when needed.
    if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        (names == MemberNames::binary &&
         archive_write_set_format_option(a, "pax", "hdrcharset", "BINARY") != ARCHIVE_OK) ||
        archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
        archive_write_open2(a, this, nullptr, &ArchiveWriter::on_write, nullptr, nullptr) !=
            ARCHIVE_OK) {
        fail("start");
    }
}

ArchiveWriter::~ArchiveWriter() {
    if (!m_finished) {
        // Freeing an unfinished libarchive writer pads the current member to its
        // declared size: with our descriptor closed, on_write refuses the first block
        // that reaches it and libarchive gives up. (archive_write_fail() would skip the
        // padding but leaks libarchive's block buffer: 10 KiB per abandoned backup.)
        m_fd.reset();
        m_archive.reset();
    }
    m_verifier.reset(); // abandons a verification still running
    if (!m_released) {
        ::unlink(m_path.c_str());
    }
}

void ArchiveWriter::emit(const char* data, std::size_t size) {
    if (!m_fd) {
        throw Error("the archive is being discarded", ErrorCode::cancelled);
    }
    value_or_throw(fs::write_all(m_fd.get(), data, size, m_path));
    if (m_verifier) {
        m_data_sha->update(data, size);
        // A verification that already failed makes the rest of the stream pointless.
        if (std::string problem = m_verifier->push(data, size); !problem.empty()) {
            throw Error(fmt::format("verification while writing {} failed: {}",
                                    m_path.filename().string(), problem),
                        ErrorCode::corrupt);
        }
    }
    m_written += size;
}

ssize_t ArchiveWriter::on_write(struct archive* a, void* self, const void* data, std::size_t size) {
    auto* writer = static_cast<ArchiveWriter*>(self);
    if (!writer->m_fd) {
        return -1; // being discarded: do not even compress the padding
    }
    try {
        const auto* bytes = static_cast<const char*>(data);
        if (writer->m_zstd) {
            writer->m_zstd->write(bytes, size, [writer](const char* out, std::size_t length) {
                writer->emit(out, length);
            });
        } else {
            writer->emit(bytes, size);
        }
        return static_cast<ssize_t>(size);
    } catch (const std::exception& e) {
        writer->m_error = e.what();
        archive_set_error(a, EIO, "%s", e.what());
        return -1;
    }
}

void ArchiveWriter::fail(std::string_view what) const {
    const char* reason = archive_error_string(m_archive.get());
    const int error = archive_errno(m_archive.get());
    throw Error(fmt::format("cannot {} archive {}: {}", what, m_path.string(),
                            !m_error.empty()    ? m_error
                            : reason != nullptr ? reason
                                                : "unknown libarchive error"),
                error == ENOSPC || m_error.find("space") != std::string::npos
                    ? ErrorCode::io
                    : code_for_errno(error));
}

void ArchiveWriter::write_header(const std::string& member, std::uint64_t size, unsigned mode,
                                 std::int64_t mtime_ns) {
    std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                               &archive_entry_free);
    archive_entry_copy_pathname(entry.get(), member.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), mode & 07777);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(size));
    archive_entry_set_mtime(entry.get(), static_cast<time_t>(mtime_ns / 1'000'000'000),
                            static_cast<long>(mtime_ns % 1'000'000'000));
    const int status = archive_write_header(m_archive.get(), entry.get());
    if (status < ARCHIVE_WARN) {
        fail(fmt::format("add {} to", escape_name(member)));
    }
}

void ArchiveWriter::write_data(const void* data, std::size_t size) {
    if (archive_write_data(m_archive.get(), data, size) != static_cast<la_ssize_t>(size)) {
        fail("write to");
    }
}

FileEntry ArchiveWriter::add_file(const SourceFile& source, const std::stop_token& stop,
                                  const ProgressFn& progress) {
    const bool given = source.descriptor && *source.descriptor;
    const std::string shown =
        escape_name(given ? source.stored_as : (source.root / source.relative).string());
    UniqueFd fd;
    if (given) {
        fd.reset(::dup(source.descriptor->get()));
        if (!fd || ::lseek(fd.get(), 0, SEEK_SET) < 0) {
            throw Error(errno_message(fmt::format("cannot read {}", shown), errno));
        }
    } else {
        int open_error = 0;
        auto opened = fs::open_beneath(source.root, source.relative, &open_error);
        if (!opened) {
            throw Error(opened.error(), open_error == ENOENT ? ErrorCode::not_found
                                        : open_error == ELOOP || open_error == EINVAL
                                            ? ErrorCode::invalid_argument
                                            : code_for_errno(open_error));
        }
        fd = std::move(*opened);
    }
    struct stat before {};
    if (::fstat(fd.get(), &before) != 0) {
        throw Error(errno_message(fmt::format("cannot stat {}", shown), errno));
    }
    if (!S_ISREG(before.st_mode)) {
        throw Error(fmt::format("{} is not a regular file", shown), ErrorCode::invalid_argument);
    }
    if (const auto& expected = source.expected;
        expected && (expected->device != before.st_dev || expected->inode != before.st_ino ||
                     expected->size != static_cast<std::uint64_t>(before.st_size) ||
                     expected->mtime_ns != to_ns(before.st_mtim) ||
                     expected->ctime_ns != to_ns(before.st_ctim))) {
        throw FileChangedError(fmt::format("{} changed after it was found quiet", shown));
    }
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);

    FileEntry entry;
    entry.path = source.stored_as;
    entry.role = source.role;
    entry.size = static_cast<std::uint64_t>(before.st_size);
    entry.mode = before.st_mode & 07777;
    entry.mtime_ns = to_ns(before.st_mtim);
    // The format comes from the very bytes that are stored, not from a second open.
    const DetectedFormat detected = detect_format(fd.get(), source.stored_as);
    entry.format = detected.format;
    entry.format_mismatch = source.role == FileRole::model && !detected.matches_extension;
    expect_new_member(entry.member());
    write_header(entry.member(), entry.size, entry.mode, entry.mtime_ns);

    Sha256 sha;
    std::uint64_t done = 0;
    while (done < entry.size) {
        if (stop.stop_requested()) {
            throw Error(fmt::format("backup of {} abandoned: the daemon is stopping", shown),
                        ErrorCode::cancelled);
        }
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(k_io_chunk, entry.size - done));
        const ssize_t got = ::read(fd.get(), m_buffer.get(), want);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw Error(errno_message(fmt::format("cannot read {}", shown), errno));
        }
        if (got == 0) {
            throw FileChangedError(fmt::format("{} shrank while it was being read", shown));
        }
        sha.update(m_buffer.get(), static_cast<std::size_t>(got));
        write_data(m_buffer.get(), static_cast<std::size_t>(got));
        done += static_cast<std::uint64_t>(got);
        if (progress) {
            progress(done);
        }
    }
    struct stat after {};
    if (::fstat(fd.get(), &after) != 0 || !same_file_state(before, after)) {
        throw FileChangedError(fmt::format("{} changed while it was being read", shown));
    }
    // Still the same file at that path (not replaced by a rename)?
    if (!given) {
        struct stat at_path {};
        auto again = fs::open_beneath(source.root, source.relative);
        if (!again || ::fstat(again->get(), &at_path) != 0 || at_path.st_ino != before.st_ino ||
            at_path.st_dev != before.st_dev) {
            throw FileChangedError(
                fmt::format("{} was replaced or removed while it was being read", shown));
        }
    }
    entry.sha256 = sha.hex_digest();
    m_expected[entry.member()] = {entry.size, entry.sha256};
    return entry;
}

void ArchiveWriter::add_text(const std::string& member, std::string_view content,
                             SystemTime mtime) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch());
    expect_new_member(member);
    write_header(member, content.size(), 0644, ns.count());
    write_data(content.data(), content.size());
    m_expected[member] = {content.size(), sha256_hex(content)};
}

// Members are compared by name: one name twice would hide a copy from the comparison.
void ArchiveWriter::expect_new_member(const std::string& member) const {
    if (m_expected.contains(member)) {
        throw Error(fmt::format("{} would be stored twice in {}", escape_name(member),
                                m_path.filename().string()),
                    ErrorCode::invalid_argument);
    }
}

// Everything the verifier decoded must be exactly what was read from the sources.
void ArchiveWriter::check_in_flight() {
    if (!m_verifier) {
        return;
    }
    const StreamVerifier::Result decoded = m_verifier->finish();
    m_verifier.reset();
    const auto corrupt = [&](const std::string& what) {
        throw Error(fmt::format("verification while writing {} failed: {}",
                                m_path.filename().string(), what),
                    ErrorCode::corrupt);
    };
    if (!decoded.problem.empty()) {
        corrupt(decoded.problem);
    }
    for (const auto& [member, expected] : m_expected) {
        const auto it = decoded.members.find(member);
        if (it == decoded.members.end()) {
            corrupt(fmt::format("{} is missing from the stream", escape_name(member)));
        }
        if (!it->second.regular || it->second.size != expected.first ||
            it->second.sha256 != expected.second) {
            corrupt(
                fmt::format("{} does not decode to the bytes that were read", escape_name(member)));
        }
    }
    if (decoded.members.size() != m_expected.size()) {
        corrupt("the stream holds members that were never written");
    }
}

std::uint64_t ArchiveWriter::finish(std::string_view manifest_json, SystemTime mtime) {
    if (manifest_json.size() + 1 > m_manifest_capacity) {
        throw Error(fmt::format("internal error: manifest of {} bytes exceeds the {} reserved",
                                manifest_json.size(), m_manifest_capacity));
    }
    if (archive_write_close(m_archive.get()) != ARCHIVE_OK) {
        fail("finish");
    }
    if (m_zstd) {
        m_zstd->finish([this](const char* out, std::size_t length) { emit(out, length); });
    }
    check_in_flight();
    if (m_data_sha) {
        m_data_digest = m_data_sha->hex_digest();
    }

    // manifest.json at the front, as its own frame, padded to the reserved size.
    const std::string member = manifest_member(manifest_json, m_manifest_capacity, mtime);
    std::string front = m_compression.codec == config::Codec::none
                            ? member
                            : value_or_throw(compress_stream(m_compression, member));
    if (front.size() > m_reserved) {
        throw Error(fmt::format("internal error: compressed manifest ({} bytes) exceeds the {} "
                                "bytes reserved",
                                front.size(), m_reserved));
    }
    front += value_or_throw(padding(m_compression.codec, m_reserved - front.size()), "",
                            ErrorCode::internal);
    // Check the frame too: it must decode to exactly the manifest member.
    {
        std::size_t offset = 0;
        ArchiveReader reader(
            [&](char* buffer, std::size_t size) {
                const std::size_t take = std::min(size, front.size() - offset);
                std::memcpy(buffer, front.data() + offset, take);
                offset += take;
                return take;
            },
            "the manifest frame");
        const auto first = reader.next();
        std::string decoded;
        while (const std::size_t got = first ? reader.read(m_buffer.get(), k_io_chunk) : 0) {
            decoded.append(m_buffer.get(), got);
        }
        if (!first || first->path != "manifest.json" ||
            decoded != member.substr(k_tar_block, m_manifest_capacity)) {
            throw Error("the manifest frame does not decode to manifest.json", ErrorCode::corrupt);
        }
    }
    value_or_throw(fs::pwrite_all(m_fd.get(), front.data(), front.size(), 0, m_path));
    m_front = std::move(front);
    m_finished = true; // read_back() fsyncs (while it reads) and closes the file
    return m_reserved + m_written;
}

ArchiveFacts ArchiveWriter::read_back(const std::stop_token& stop) {
    // The fsync runs while the file is read back (reading comes from the page cache and
    // does not wait for the disk); both finish before the caller may commit. jthreads, so
    // that whatever throws here still joins them.
    std::string sync_error;
    std::jthread sync([&] {
        if (auto synced = fs::sync_fd(m_fd.get(), m_path); !synced) {
            sync_error = synced.error();
        }
    });
    // Two readers over the file: one hashes all of it for the manifest, the other
    // compares it with what was written and verified.
    std::string mismatch;
    std::exception_ptr compare_failure;
    std::jthread compare;
    if (!m_data_digest.empty()) {
        compare = std::jthread([&] {
            try {
                UniqueFd fd = value_or_throw(fs::open_for_reading(m_path, false));
                std::size_t front_seen = 0;
                bool front_equal = true;
                Sha256 data;
                read_to_end(fd.get(), m_path, stop, [&](const char* bytes, std::size_t size) {
                    if (front_seen < m_front.size()) {
                        const std::size_t take = std::min(size, m_front.size() - front_seen);
                        front_equal = front_equal &&
                                      std::memcmp(bytes, m_front.data() + front_seen, take) == 0;
                        front_seen += take;
                        bytes += take;
                        size -= take;
                    }
                    data.update(bytes, size);
                });
                if (front_seen != m_front.size() || !front_equal) {
                    mismatch = "its manifest frame differs from what was written";
                } else if (data.hex_digest() != m_data_digest) {
                    mismatch = "its content differs from the bytes that were verified";
                }
            } catch (...) {
                compare_failure = std::current_exception();
            }
        });
    }
    ArchiveFacts facts;
    {
        UniqueFd fd = value_or_throw(fs::open_for_reading(m_path, false));
        Sha256 whole;
        read_to_end(fd.get(), m_path, stop, [&](const char* bytes, std::size_t size) {
            whole.update(bytes, size);
            facts.size += size;
        });
        facts.sha256 = whole.hex_digest();
    }
    if (compare.joinable()) {
        compare.join();
    }
    sync.join();
    m_fd.reset();
    if (!sync_error.empty()) {
        throw Error(sync_error, ErrorCode::io);
    }
    if (compare_failure) {
        std::rethrow_exception(compare_failure);
    }
    if (!mismatch.empty()) {
        throw Error(fmt::format("read-back of {} failed: {}", m_path.filename().string(), mismatch),
                    ErrorCode::corrupt);
    }
    return facts;
}

} // namespace mv::vault
