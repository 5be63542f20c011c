#include "vault/codec.hpp"

#include <memory>
#include <thread>

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

namespace mv::vault {

namespace {

constexpr std::size_t k_zstd_skippable_header = 8; // magic + frame size, RFC 8878 §3.1.2
constexpr std::size_t k_gzip_empty_member =
    26; // header 10 + XLEN 2 + subfield 4 + deflate 2 + trailer 8
constexpr std::size_t k_gzip_max_extra = 65535;

void put_le32(std::string& out, std::uint32_t value) {
    for (int i = 0; i < 4; ++i) {
        out += static_cast<char>((value >> (8 * i)) & 0xff);
    }
}

void put_le16(std::string& out, std::uint32_t value) {
    out += static_cast<char>(value & 0xff);
    out += static_cast<char>((value >> 8) & 0xff);
}

// One empty gzip member (RFC 1952) of exactly `size` bytes: FLG.FEXTRA with a single
// subfield 'M','V' whose zero payload fills the member, an empty final deflate block,
// CRC32 0 and ISIZE 0. Decoders skip the extra field and produce no output.
std::string gzip_empty_member(std::size_t size) {
    const std::size_t extra_length = size - k_gzip_empty_member + 4; // XLEN covers the subfield
    std::string member;
    member.reserve(size);
    member += "\x1f\x8b\x08\x04"; // magic, deflate, FLG.FEXTRA
    put_le32(member, 0);          // MTIME
    member += '\x00';             // XFL
    member += '\xff';             // OS unknown
    put_le16(member, static_cast<std::uint32_t>(extra_length));
    member += "MV";
    put_le16(member, static_cast<std::uint32_t>(extra_length - 4));
    member.append(extra_length - 4, '\0');
    member += '\x03';
    member += '\x00';    // BFINAL=1, BTYPE=01 (fixed Huffman), end-of-block
    put_le32(member, 0); // CRC32 of nothing
    put_le32(member, 0); // ISIZE
    return member;
}

} // namespace

int compression_threads(const config::Compression& compression) {
    if (compression.threads > 0) {
        return compression.threads;
    }
    const unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : static_cast<int>(cores);
}

const char* archive_extension(config::Codec codec) {
    switch (codec) {
    case config::Codec::zstd:
        return ".tar.zst";
    case config::Codec::gzip:
        return ".tar.gz";
    case config::Codec::xz:
        return ".tar.xz";
    case config::Codec::none:
        return ".tar";
    }
    return ".tar.zst";
}

Result<void> add_compression_filter(struct archive* writer, const config::Compression& c) {
    const std::string level = std::to_string(c.level);
    const std::string threads = std::to_string(compression_threads(c));
    int status = ARCHIVE_OK;
    switch (c.codec) {
    case config::Codec::zstd:
        status = archive_write_add_filter_zstd(writer);
        if (status == ARCHIVE_OK) {
            status =
                archive_write_set_filter_option(writer, "zstd", "compression-level", level.c_str());
        }
        if (status == ARCHIVE_OK && compression_threads(c) > 1) {
            status = archive_write_set_filter_option(writer, "zstd", "threads", threads.c_str());
        }
        break;
    case config::Codec::gzip:
        status = archive_write_add_filter_gzip(writer);
        if (status == ARCHIVE_OK) {
            status =
                archive_write_set_filter_option(writer, "gzip", "compression-level", level.c_str());
        }
        if (status == ARCHIVE_OK) {
            // No timestamp: identical input gives identical output.
            status = archive_write_set_filter_option(writer, "gzip", "timestamp", nullptr);
        }
        break;
    case config::Codec::xz:
        status = archive_write_add_filter_xz(writer);
        if (status == ARCHIVE_OK) {
            status =
                archive_write_set_filter_option(writer, "xz", "compression-level", level.c_str());
        }
        if (status == ARCHIVE_OK && compression_threads(c) > 1) {
            status = archive_write_set_filter_option(writer, "xz", "threads", threads.c_str());
        }
        break;
    case config::Codec::none:
        status = archive_write_add_filter_none(writer);
        break;
    }
    if (status != ARCHIVE_OK) {
        return failure(fmt::format("libarchive cannot set up {} compression at level {}: {}",
                                   config::to_string(c.codec), c.level,
                                   archive_error_string(writer) ? archive_error_string(writer)
                                                                : "unknown error"));
    }
    return {};
}

std::size_t compressed_bound(config::Codec codec, std::size_t raw_size) {
    switch (codec) {
    case config::Codec::none:
        return raw_size;
    case config::Codec::zstd:
        // ZSTD_compressBound is raw + raw/256 + a small margin; frame header ≤ 18 bytes.
        return raw_size + raw_size / 128 + 256;
    case config::Codec::gzip:
        // Stored deflate blocks cost 5 bytes per 16 KiB; gzip header and trailer ~20.
        return raw_size + raw_size / 128 + 256;
    case config::Codec::xz:
        // LZMA2 chunk headers, block header and check, index, stream header and footer.
        return raw_size + raw_size / 64 + 1024;
    }
    return raw_size + raw_size / 64 + 1024;
}

std::size_t minimum_padding(config::Codec codec) {
    switch (codec) {
    case config::Codec::zstd:
        return k_zstd_skippable_header;
    case config::Codec::gzip:
        return k_gzip_empty_member;
    case config::Codec::xz:
        return 4;
    case config::Codec::none:
        return 0;
    }
    return 0;
}

Result<std::string> padding(config::Codec codec, std::size_t size) {
    if (size == 0) {
        return std::string();
    }
    if (size < minimum_padding(codec) || codec == config::Codec::none) {
        return failure(fmt::format("internal error: cannot pad a {} stream with {} bytes",
                                   config::to_string(codec), size));
    }
    std::string out;
    out.reserve(size);
    switch (codec) {
    case config::Codec::zstd:
        put_le32(out, 0x184D2A50u); // skippable frame magic (0x184D2A5?)
        put_le32(out, static_cast<std::uint32_t>(size - k_zstd_skippable_header));
        out.append(size - k_zstd_skippable_header, '\0');
        break;
    case config::Codec::gzip: {
        // Members of at most k_gzip_max_extra extra bytes each; never leave a remainder
        // smaller than one empty member.
        std::size_t left = size;
        const std::size_t max_member = k_gzip_empty_member - 4 + k_gzip_max_extra;
        while (left > 0) {
            std::size_t member = std::min(left, max_member);
            if (left - member != 0 && left - member < k_gzip_empty_member) {
                member = left - k_gzip_empty_member;
            }
            out += gzip_empty_member(member);
            left -= member;
        }
        break;
    }
    case config::Codec::xz:
        if (size % 4 != 0) {
            return failure(fmt::format("internal error: xz padding of {} bytes is not a multiple "
                                       "of 4",
                                       size));
        }
        out.append(size, '\0');
        break;
    case config::Codec::none:
        break;
    }
    return out;
}

Result<std::string> compress_stream(const config::Compression& compression, std::string_view data) {
    std::unique_ptr<struct archive, decltype(&archive_write_free)> writer(archive_write_new(),
                                                                          &archive_write_free);
    std::string output;
    config::Compression single = compression;
    single.threads = 1;
    const auto write = [](struct archive*, void* out, const void* buffer,
                          std::size_t length) -> la_ssize_t {
        static_cast<std::string*>(out)->append(static_cast<const char*>(buffer), length);
        return static_cast<la_ssize_t>(length);
    };
    std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                               &archive_entry_free);
    archive_entry_set_pathname(entry.get(), "manifest");
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(data.size()));
    if (auto filter = add_compression_filter(writer.get(), single); !filter) {
        return failure(filter.error());
    }
    if (archive_write_set_format_raw(writer.get()) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(writer.get(), 0) != ARCHIVE_OK ||
        archive_write_open2(writer.get(), &output, nullptr, write, nullptr, nullptr) !=
            ARCHIVE_OK ||
        archive_write_header(writer.get(), entry.get()) != ARCHIVE_OK ||
        archive_write_data(writer.get(), data.data(), data.size()) !=
            static_cast<la_ssize_t>(data.size()) ||
        archive_write_close(writer.get()) != ARCHIVE_OK) {
        return failure(fmt::format("libarchive cannot compress the manifest: {}",
                                   archive_error_string(writer.get())
                                       ? archive_error_string(writer.get())
                                       : "unknown error"));
    }
    return output;
}

} // namespace mv::vault
