// Opening the store: every index file is loaded into the table; packs that no index file
// lists are indexed from their own headers (docs/FORMAT.md "Crash safety").
#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/sha256.hpp"
#include "store/store.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"

namespace mv::store {

namespace stdfs = std::filesystem;

namespace {

constexpr std::size_t k_max_index_file = 1u << 30;

// The pack at `path`, named `id`, from its own header; verifies the whole file's hash.
Result<IndexedPack> read_pack_header(const stdfs::path& path, const PackId& id,
                                     const Sealing& sealing) {
    auto fd = fs::open_for_reading(path, false);
    if (!fd) {
        return failure(fd.error());
    }
    struct stat st {};
    if (::fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return failure(fmt::format("{} is not a regular file", path.string()));
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    Sha256 sha;
    std::vector<std::uint8_t> buffer(1u << 20);
    std::vector<std::uint8_t> tail;
    for (std::uint64_t done = 0; done < size;) {
        const ssize_t got =
            ::pread(fd->get(), buffer.data(), buffer.size(), static_cast<off_t>(done));
        if (got <= 0) {
            return failure(errno_message(fmt::format("cannot read {}", path.string()), errno));
        }
        sha.update(buffer.data(), static_cast<std::size_t>(got));
        tail.insert(tail.end(), buffer.begin(), buffer.begin() + got);
        if (tail.size() > (64u << 20)) {
            tail.erase(tail.begin(), tail.end() - (32u << 20)); // a header is far smaller
        }
        done += static_cast<std::uint64_t>(got);
    }
    if (Digest{sha.digest()} != id) {
        return failure(fmt::format("{} does not hash to its name", path.string()));
    }
    auto trailer =
        parse_pack_trailer(std::span(tail).last(std::min(tail.size(), k_pack_trailer)), size);
    if (!trailer || trailer->header_length + k_pack_trailer > tail.size()) {
        return failure(trailer ? "header too large" : trailer.error());
    }
    auto entries = parse_pack_header(
        std::span(tail).subspan(tail.size() - k_pack_trailer - trailer->header_length,
                                trailer->header_length),
        *trailer, size, sealing);
    if (!entries) {
        return failure(entries.error());
    }
    return IndexedPack{id, size, std::move(*entries)};
}

} // namespace

void Store::load_index() {
    std::vector<stdfs::directory_entry> listing;
    std::size_t expected_entries = 0;
    for (const auto& entry : stdfs::directory_iterator(m_options.root / "index")) {
        std::error_code error;
        const auto size = entry.file_size(error);
        expected_entries +=
            error ? 0 : std::min<std::uintmax_t>(size, k_max_index_file) / k_index_entry_bytes;
        listing.push_back(entry);
    }
    m_table.begin_loading(expected_entries);
    std::size_t files = 0;
    for (const auto& entry : listing) {
        const std::string name = entry.path().filename().string();
        const auto id = Digest::from_hex(name);
        if (!id || !entry.is_regular_file()) {
            spdlog::warn("store: ignoring {}: not an index file", entry.path().string());
            continue;
        }
        auto bytes = fs::read_file(entry.path(), k_max_index_file);
        auto plain = bytes ? m_sealing.open(crypto::Role::index, {}, as_bytes(*bytes))
                           : Result<std::vector<std::uint8_t>>(failure(bytes.error()));
        auto packs =
            plain ? parse_index(*plain) : Result<std::vector<IndexedPack>>(failure(plain.error()));
        if (packs && Digest::sha256_of(as_bytes(*bytes)) != *id) {
            packs = failure("its content does not hash to its name");
        }
        if (!packs) {
            // Its packs are indexed again from their headers below; then it can go.
            spdlog::error("store: index file {} is damaged ({}); rebuilding it from the packs",
                          entry.path().string(), packs.error());
            m_damaged_index.push_back(entry.path());
            continue;
        }
        m_table.add(*id, *packs);
        ++files;
    }
    m_table.finish_loading();
    spdlog::debug("store: {} index files, {} chunks", files, m_table.entry_count());
}

void Store::index_unlisted_packs() {
    std::vector<IndexedPack> found;
    for (const auto& folder : stdfs::directory_iterator(m_options.root / "packs")) {
        if (!folder.is_directory()) {
            continue;
        }
        for (const auto& entry : stdfs::directory_iterator(folder.path())) {
            const auto id = Digest::from_hex(entry.path().filename().string());
            if (!id || m_table.pack_number(*id)) {
                continue;
            }
            auto pack = read_pack_header(entry.path(), *id, m_sealing);
            if (!pack) {
                spdlog::error("store: {} is not indexed and cannot be read ({}); it is left "
                              "alone: run `modelvaultctl verify --all --read-data`",
                              entry.path().string(), pack.error());
                continue;
            }
            found.push_back(std::move(*pack));
        }
    }
    // Damaged index files go first: the rebuilt one may have the same content, and name.
    for (const auto& damaged : m_damaged_index) {
        value_or_throw(fs::remove_durable(damaged), "cannot remove a damaged index file: ");
    }
    m_damaged_index.clear();
    if (!found.empty()) {
        const Digest file = write_index_file(found);
        m_table.add(file, found);
        spdlog::info("store: indexed {} pack(s) no index file listed (an interrupted write or "
                     "collection); a collection removes what no version needs",
                     found.size());
    }
}

} // namespace mv::store
