#include "vault/tar_stream.hpp"

#include <algorithm>
#include <cerrno>

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include "util/escape.hpp"
#include "vault/json_text.hpp"
#include "vault/manifest_signature.hpp"
#include "vault/readme.hpp"
#include "vault/version_reader.hpp"

namespace mv::vault {

MemberNames member_names_for(const std::vector<std::string>& names) {
    const auto outside_ascii = [](const std::string& name) {
        return std::ranges::any_of(name,
                                   [](char c) { return static_cast<unsigned char>(c) > 0x7f; });
    };
    return std::ranges::any_of(names, outside_ascii) ? MemberNames::binary : MemberNames::ascii;
}

TarWriter::TarWriter(TarSink sink, MemberNames names)
    : m_sink(std::move(sink)), m_archive(archive_write_new(), &archive_write_free) {
    struct archive* a = m_archive.get();
    // pax stays plain ustar when nothing needs an extended header. Names outside ASCII
    // are kept byte-exact with hdrcharset=BINARY (no locale conversion); libarchive then
    // marks every member so, and GNU tar warns about each, hence only when needed.
    if (a == nullptr || archive_write_add_filter_none(a) != ARCHIVE_OK ||
        archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        (names == MemberNames::binary &&
         archive_write_set_format_option(a, "pax", "hdrcharset", "BINARY") != ARCHIVE_OK) ||
        archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
        // Unblocked: a file's chunks go to the sink as they are, not copied into 10 KiB
        // blocks first (one write per block made a restore's pipe the bottleneck).
        archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
        archive_write_open2(a, this, nullptr, &TarWriter::on_write, nullptr, nullptr) !=
            ARCHIVE_OK) {
        fail("start");
    }
}

TarWriter::~TarWriter() {
    if (!m_finished) {
        // Freeing an unfinished writer pads the current member: refuse those writes.
        m_failed = true;
        m_archive.reset();
    }
}

long TarWriter::on_write(struct archive* a, void* self, const void* data, std::size_t size) {
    auto* writer = static_cast<TarWriter*>(self);
    if (writer->m_failed) {
        return -1;
    }
    try {
        writer->m_sink(static_cast<const char*>(data), size);
        return static_cast<long>(size);
    } catch (const Error& e) {
        writer->m_failed = true;
        writer->m_error = e.what();
        writer->m_code = e.code();
        archive_set_error(a, EIO, "%s", e.what());
        return -1;
    } catch (const std::exception& e) {
        writer->m_failed = true;
        writer->m_error = e.what();
        archive_set_error(a, EIO, "%s", e.what());
        return -1;
    }
}

void TarWriter::fail(std::string_view what) const {
    if (!m_error.empty()) {
        throw Error(m_error, m_code); // the sink's own failure, as it was
    }
    const char* reason = m_archive ? archive_error_string(m_archive.get()) : nullptr;
    throw Error(fmt::format("cannot {} the tar stream: {}", what,
                            reason != nullptr ? reason : "unknown libarchive error"),
                ErrorCode::io);
}

void TarWriter::begin(const std::string& member, std::uint64_t size, unsigned mode,
                      std::int64_t mtime_ns) {
    std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                               &archive_entry_free);
    archive_entry_copy_pathname(entry.get(), member.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), mode & 07777);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(size));
    archive_entry_set_mtime(entry.get(), static_cast<time_t>(mtime_ns / 1'000'000'000),
                            static_cast<long>(mtime_ns % 1'000'000'000));
    if (archive_write_header(m_archive.get(), entry.get()) < ARCHIVE_WARN) {
        fail(fmt::format("add {} to", escape_name(member)));
    }
}

void TarWriter::write(const void* data, std::size_t size) {
    if (archive_write_data(m_archive.get(), data, size) != static_cast<la_ssize_t>(size)) {
        fail("write");
    }
}

void TarWriter::finish() {
    if (archive_write_close(m_archive.get()) != ARCHIVE_OK) {
        fail("finish");
    }
    m_finished = true;
}

void write_version_tar(const store::Store& store, const Manifest& manifest, Members members,
                       const TarSink& sink, const std::stop_token& stop, std::string_view signature,
                       FileHashCheck whole_files) {
    std::vector<std::string> names;
    for (const auto& file : manifest.files) {
        names.push_back(file.member());
    }
    TarWriter tar(sink, member_names_for(names));
    const auto ns = [](SystemTime time) {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch())
            .count();
    };
    const std::string text = json_text(to_json(manifest), 2) + "\n";
    tar.begin("manifest.json", text.size(), 0644, ns(manifest.created));
    tar.write(text.data(), text.size());
    if (!signature.empty()) {
        tar.begin(std::string(k_signature_member), signature.size(), 0644, ns(manifest.created));
        tar.write(signature.data(), signature.size());
    }
    VersionReader reader(store);
    for (const auto& file : manifest.files) {
        if (members == Members::model_only && file.role != FileRole::model) {
            continue;
        }
        tar.begin(file.member(), file.size, file.mode, file.mtime_ns);
        reader.read_file(
            manifest, file,
            [&](std::span<const std::uint8_t> bytes) { tar.write(bytes.data(), bytes.size()); },
            stop, whole_files);
    }
    const std::string readme = render_readme(manifest);
    tar.begin("README.md", readme.size(), 0644, ns(manifest.created));
    tar.write(readme.data(), readme.size());
    tar.finish();
}

} // namespace mv::vault
