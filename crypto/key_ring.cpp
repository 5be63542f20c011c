#include "crypto/key_ring.hpp"

#include <algorithm>
#include <system_error>

#include <fmt/format.h>

#include "util/fs.hpp"

namespace mv::crypto {

namespace {

constexpr std::size_t k_max_record_size = 64u << 10;
constexpr std::size_t k_min_id_prefix = 4;

} // namespace

KeyRing::KeyRing(std::filesystem::path dir, std::filesystem::path tmp)
    : m_dir(std::move(dir)), m_tmp(std::move(tmp)) {}

std::filesystem::path KeyRing::record_path(std::string_view id) const {
    return m_dir / fmt::format("{}.json", id);
}

Result<KeyListing> KeyRing::list() const {
    KeyListing listing;
    std::error_code error;
    std::filesystem::directory_iterator it(m_dir, error);
    if (error == std::errc::no_such_file_or_directory) {
        return listing;
    }
    if (error) {
        return failure(
            fmt::format("cannot list the vault's keys in {}: {}", m_dir.string(), error.message()));
    }
    for (; !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
        const auto name = it->path().filename().string();
        // Only <16 hex>.json are records; anything else (a write in progress) is ignored.
        if (!name.ends_with(".json") || !is_record_id(name.substr(0, name.size() - 5))) {
            continue;
        }
        auto record = fs::read_file(it->path(), k_max_record_size, false)
                          .and_then([&](const std::string& text) -> Result<KeyRecord> {
                              auto parsed = parse_key_record(text);
                              if (!parsed) {
                                  return failure(fmt::format("key record {} {}",
                                                             it->path().string(), parsed.error()));
                              }
                              return parsed;
                          });
        if (record && record->id + ".json" != name) {
            record = failure(fmt::format("key record {} holds the id {}: it was renamed",
                                         it->path().string(), record->id));
        }
        if (record) {
            listing.records.push_back(std::move(*record));
        } else {
            listing.damaged.push_back(record.error());
        }
    }
    if (error) {
        return failure(
            fmt::format("cannot list the vault's keys in {}: {}", m_dir.string(), error.message()));
    }
    std::sort(listing.records.begin(), listing.records.end(), [](const auto& a, const auto& b) {
        return std::tie(a.created, a.id) < std::tie(b.created, b.id);
    });
    std::sort(listing.damaged.begin(), listing.damaged.end());
    return listing;
}

Result<std::string> KeyRing::create(const MasterKey& master, const UserKey& user,
                                    const RecordOrigin& origin) const {
    auto listing = list();
    if (!listing) {
        return failure(listing.error());
    }
    if (!listing->records.empty() || !listing->damaged.empty()) {
        return failure(fmt::format("{} already holds the keys of a vault: a vault has one master "
                                   "key; add a key with `modelvaultctl key add`",
                                   m_dir.string()));
    }
    const auto record = wrap_master_key(master, user, new_record_id(), origin);
    if (!record) {
        return failure(record.error());
    }
    auto written = fs::create_directories_durable(m_dir).and_then([&] {
        return fs::write_file_atomic(record_path(record->id), encode_key_record(*record), m_tmp,
                                     0400);
    });
    if (!written) {
        return failure(written.error());
    }
    return record->id;
}

Result<Unlocked> KeyRing::unlock(const UserKey& user) const {
    auto listing = list();
    if (!listing) {
        return failure(listing.error());
    }
    for (const KeyRecord& record : listing->records) {
        auto master = unwrap_master_key(record, user);
        if (!master) {
            return failure(
                fmt::format("{} {}: {}", to_string(user.kind), user.file.string(), master.error()));
        }
        if (*master) {
            return Unlocked{std::move(**master), record.id};
        }
    }
    std::string damaged;
    for (const auto& problem : listing->damaged) {
        damaged += "; " + problem;
    }
    if (listing->records.empty()) {
        return failure(fmt::format("{} holds no key record that can be read, so no key opens "
                                   "this vault{}: restore the folder from a copy",
                                   m_dir.string(), damaged));
    }
    return failure(fmt::format(
        "{} {} opens none of the {} keys of this vault ({}){}: it is another vault's key, "
        "was removed, or is not the file you meant; `modelvaultctl key list` shows where "
        "each key was added from",
        to_string(user.kind), user.file.string(), listing->records.size(), m_dir.string(),
        damaged));
}

Result<std::string> KeyRing::add(const MasterKey& master, const UserKey& user,
                                 const RecordOrigin& origin) const {
    auto listing = list();
    if (!listing) {
        return failure(listing.error());
    }
    for (const KeyRecord& record : listing->records) {
        auto opened = unwrap_master_key(record, user);
        if (!opened) {
            return failure(opened.error());
        }
        if (*opened) {
            return failure(fmt::format("{} {} is already key {} of this vault",
                                       to_string(user.kind), user.file.string(), record.id));
        }
    }
    const auto record = wrap_master_key(master, user, new_record_id(), origin);
    if (!record) {
        return failure(record.error());
    }
    auto written =
        fs::write_file_atomic(record_path(record->id), encode_key_record(*record), m_tmp, 0400);
    if (!written) {
        return failure(written.error());
    }
    return record->id;
}

Result<std::string> KeyRing::remove(std::string_view id, std::string_view in_use) const {
    auto listing = list();
    if (!listing) {
        return failure(listing.error());
    }
    if (id.size() < k_min_id_prefix) {
        return failure(fmt::format("key id \"{}\" is too short: give at least {} of its digits "
                                   "(`modelvaultctl key list` shows them)",
                                   id, k_min_id_prefix));
    }
    std::vector<const KeyRecord*> matches;
    for (const KeyRecord& record : listing->records) {
        if (record.id.starts_with(id)) {
            matches.push_back(&record);
        }
    }
    if (matches.size() != 1) {
        return failure(
            matches.empty()
                ? fmt::format("no key of this vault has the id {}", id)
                : fmt::format("{} is the start of several key ids: give more digits", id));
    }
    const std::string full = matches.front()->id;
    if (full == in_use) {
        return failure(fmt::format("key {} is the one the vault is open with: open it with "
                                   "another key (encryption.key_file) before removing this one",
                                   full));
    }
    if (listing->records.size() == 1) {
        return failure(fmt::format("key {} is the vault's only key: without it nothing in the "
                                   "vault can be read; add another key first",
                                   full));
    }
    if (auto removed = fs::remove_durable(record_path(full)); !removed) {
        return failure(removed.error());
    }
    return full;
}

} // namespace mv::crypto
