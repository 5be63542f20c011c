// Opening a vault: the marker file, the daemon lock, tmp/ emptied, the store opened (it
// indexes packs a crash left unindexed), the catalog loaded (vault_recover.cpp), a
// format-1 vault upgraded (migrate.cpp).
#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <map>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/fs.hpp"
#include "vault/encryption.hpp"
#include "vault/json_text.hpp"
#include "vault/manifest_file.hpp"
#include "vault/migrate.hpp"
#include "vault/storage_settings.hpp"
#include "vault/vault.hpp"
#include "vault/vault_marker.hpp"

namespace mv::vault {

namespace {

namespace stdfs = std::filesystem;
using nlohmann::json;

std::string this_host() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) {
        return "unknown";
    }
    return name;
}

struct Marker {
    int version = k_vault_format;
    bool encrypted = false;
    bool fresh = false; ///< no vault.json yet: a new vault
};

// vault.json marks a folder as a vault; refuse to take over a folder holding other data.
// For a new vault (an empty folder) nothing is written yet: its keys come first.
Marker read_vault_marker(const stdfs::path& root) {
    const stdfs::path marker = root / "vault.json";
    if (stdfs::exists(marker)) {
        auto text = fs::read_file(marker, 1u << 20);
        json parsed;
        try {
            parsed = json::parse(value_or_throw(std::move(text)));
        } catch (const std::exception& e) {
            throw Fatal(fmt::format("{} is damaged ({}); restore it from vault.json's format in "
                                    "docs/FORMAT.md or point `vault` elsewhere",
                                    marker.string(), e.what()));
        }
        if (!parsed.is_object() || parsed.value("format", "") != "modelvault") {
            throw Fatal(fmt::format("{} does not belong to a modelvault vault", marker.string()));
        }
        const int version = parsed.value("version", 0);
        if (version != 1 && version != k_vault_format) {
            throw Fatal(fmt::format("vault {} has format version {}; this modelvaultd supports "
                                    "versions 1 and {}: upgrade modelvault",
                                    root.string(), version, k_vault_format));
        }
        return {version, parsed.value("encrypted", false), false};
    }
    // A fresh file system's lost+found does not make a folder "used", nor do the keys of
    // a new vault whose creation stopped before vault.json (they protect nothing yet).
    const bool empty =
        std::all_of(stdfs::directory_iterator(root), stdfs::directory_iterator(),
                    [](const stdfs::directory_entry& e) {
                        return e.path().filename() == "lost+found" || e.path().filename() == "keys";
                    });
    if (!empty) {
        throw Fatal(fmt::format("{} is not empty and has no vault.json: it is not a modelvault "
                                "vault. Point `vault` at an empty or new folder",
                                root.string()));
    }
    std::error_code ignored;
    stdfs::remove_all(keys_dir(root), ignored);
    return {k_vault_format, false, true};
}

// Only one daemon may use a vault: a second one would clean the first one's tmp/.
UniqueFd lock_vault(const stdfs::path& state_dir) {
    const stdfs::path lock_path = state_dir / "lock";
    UniqueFd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!fd) {
        throw Fatal(errno_message(fmt::format("cannot open {}", lock_path.string()), errno));
    }
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        std::string owner = value_or_throw(
            fs::read_file(lock_path, 64).or_else([](const std::string&) -> Result<std::string> {
                return std::string("?");
            }));
        while (!owner.empty() && (owner.back() == '\n' || owner.back() == ' ')) {
            owner.pop_back();
        }
        throw Fatal(fmt::format("the vault {} is in use by another modelvaultd (pid {}); stop it "
                                "or choose another vault",
                                state_dir.parent_path().string(), owner));
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd.get(), 0) == 0) {
        (void)fs::write_all(fd.get(), pid.data(), pid.size(), lock_path);
    }
    return fd;
}

void empty_folder(const stdfs::path& tmp) {
    std::size_t leftovers = 0;
    for (const auto& entry : stdfs::directory_iterator(tmp)) {
        std::error_code ignored;
        stdfs::remove_all(entry.path(), ignored);
        ++leftovers;
    }
    if (leftovers > 0) {
        value_or_throw(fs::sync_directory(tmp));
        spdlog::info("vault: removed {} unfinished write(s) from {} left by an interrupted run",
                     leftovers, tmp.string());
    }
}

} // namespace

std::string vault_marker(const std::string& created, bool encrypted) {
    json content = {{"format", "modelvault"},
                    {"version", k_vault_format},
                    {"created", created},
                    {"created_by", "modelvaultd " MV_VERSION},
                    {"chunk_names", encrypted ? "hmac-sha256" : "sha256"}};
    if (encrypted) {
        content["encrypted"] = true;
    }
    return json_text(content, 2) + "\n";
}

std::unique_ptr<Vault> Vault::open(VaultOptions options, const Clock& clock,
                                   const OpenProgress& progress,
                                   const std::filesystem::path& key_file) {
    options.root = stdfs::absolute(options.root).lexically_normal();
    if (options.host.empty()) {
        options.host = this_host();
    }
    const auto& root = options.root;
    value_or_throw(fs::create_directories_durable(root), "cannot create the vault: ");
    const Marker marker = read_vault_marker(root);
    // Keys before anything else: a wrong key stops here, having changed nothing.
    auto keys = open_vault_encryption(root, marker.encrypted, marker.fresh, key_file,
                                      format_utc(clock.now()), options.host);
    if (marker.fresh) {
        value_or_throw(
            fs::write_file_atomic(root / "vault.json",
                                  vault_marker(format_utc(clock.now()), keys.has_value())),
            "cannot initialise the vault: ");
    }
    const int format = marker.version;
    for (const char* sub : {"manifests", "models", "tmp", "state"}) {
        value_or_throw(fs::create_directories_durable(root / sub), "cannot prepare the vault: ");
    }
    UniqueFd lock = lock_vault(root / "state");
    std::unique_ptr<Vault> vault(new Vault(std::move(options), clock, std::move(lock)));
    empty_folder(vault->tmp_dir());
    const auto& opened = vault->m_options;
    std::shared_ptr<const crypto::MasterKey> master;
    if (keys) {
        master = std::make_shared<const crypto::MasterKey>(keys->master);
        vault->m_signing = std::make_unique<crypto::SigningKey>(keys->signing);
    }
    vault->m_store =
        store::Store::open({opened.root, vault->tmp_dir(), codec_settings_for(opened.compression),
                            opened.verify_after_write, store::k_pack_target},
                           nullptr, master);
    vault->load_manifests();
    if (format == 1) {
        migrate_format1(*vault, progress);
    }
    vault->load_histories();
    vault->finish_removals();
    vault->remove_orphan_signatures();
    if (const std::string notice = codec_notice(vault->m_options.compression); !notice.empty()) {
        spdlog::warn("{}", notice);
    }
    const auto stats = vault->stats();
    spdlog::info("vault {}: {} models, {} versions, {} in {} packs", vault->root().string(),
                 stats.models, stats.versions, format_bytes(stats.stored_bytes), stats.packs);
    return vault;
}

} // namespace mv::vault
