// Opening a vault: the marker file, the daemon lock, and recovery after a crash
// (tmp/ emptied, archives without a sidecar removed) before the catalog is loaded.
#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <map>
#include <set>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/fs.hpp"
#include "vault/json_text.hpp"
#include "vault/vault.hpp"

namespace mv::vault {

namespace {

namespace stdfs = std::filesystem;
using nlohmann::json;

constexpr int k_vault_format_version = 1;

std::string this_host() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) {
        return "unknown";
    }
    return name;
}

// vault.json marks a folder as a vault; refuse to take over a folder holding other data.
void ensure_vault_marker(const stdfs::path& root, const Clock& clock) {
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
        if (parsed.value("format", "") != "modelvault") {
            throw Fatal(fmt::format("{} does not belong to a modelvault vault", marker.string()));
        }
        if (parsed.value("version", 0) != k_vault_format_version) {
            throw Fatal(fmt::format("vault {} has format version {}; this modelvaultd supports "
                                    "version {}: upgrade modelvault",
                                    root.string(), parsed.value("version", 0),
                                    k_vault_format_version));
        }
        return;
    }
    // A fresh file system's lost+found does not make a folder "used".
    const bool empty = std::all_of(
        stdfs::directory_iterator(root), stdfs::directory_iterator(),
        [](const stdfs::directory_entry& e) { return e.path().filename() == "lost+found"; });
    if (!empty) {
        throw Fatal(fmt::format("{} is not empty and has no vault.json: it is not a modelvault "
                                "vault. Point `vault` at an empty or new folder",
                                root.string()));
    }
    const json content = {{"format", "modelvault"},
                          {"version", k_vault_format_version},
                          {"created", format_utc(clock.now())},
                          {"created_by", "modelvaultd " MV_VERSION}};
    value_or_throw(fs::write_file_atomic(marker, json_text(content, 2) + "\n"),
                   "cannot initialise the vault: ");
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

bool ends_with(const std::string& text, std::string_view suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "1.4.2_20261122T083412Z" from "1.4.2_20261122T083412Z.tar.zst" or ".json".
std::string version_stem(const std::string& file_name) {
    for (std::string_view ext : {".json", ".tar.zst", ".tar.gz", ".tar.xz", ".tar"}) {
        if (ends_with(file_name, ext)) {
            return file_name.substr(0, file_name.size() - ext.size());
        }
    }
    return {};
}

} // namespace

std::unique_ptr<Vault> Vault::open(VaultOptions options, const Clock& clock) {
    options.root = stdfs::absolute(options.root).lexically_normal();
    if (options.host.empty()) {
        options.host = this_host();
    }
    const auto& root = options.root;
    value_or_throw(fs::create_directories_durable(root), "cannot create the vault: ");
    ensure_vault_marker(root, clock);
    for (const char* sub : {"models", "tmp", "state"}) {
        value_or_throw(fs::create_directories_durable(root / sub), "cannot prepare the vault: ");
    }
    UniqueFd lock = lock_vault(root / "state");
    std::unique_ptr<Vault> vault(new Vault(std::move(options), clock, std::move(lock)));
    vault->recover_and_load();
    return vault;
}

void Vault::recover_and_load() {
    const stdfs::path tmp = tmp_dir();
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

    // Sidecars make versions; an archive without one is an interrupted commit.
    std::vector<stdfs::path> sidecars;
    std::vector<stdfs::path> archives;
    std::vector<stdfs::path> histories;
    const stdfs::path models = m_options.root / "models";
    for (auto it = stdfs::recursive_directory_iterator(models);
         it != stdfs::recursive_directory_iterator(); ++it) {
        if (!it->is_regular_file()) {
            continue;
        }
        const std::string name = it->path().filename().string();
        if (name == k_history_file) {
            histories.push_back(it->path());
        } else if (ends_with(name, ".json")) {
            sidecars.push_back(it->path());
        } else if (!version_stem(name).empty()) {
            archives.push_back(it->path());
        }
    }
    std::set<stdfs::path> stems_with_sidecar;
    for (const auto& sidecar : sidecars) {
        stems_with_sidecar.insert(sidecar.parent_path() /
                                  version_stem(sidecar.filename().string()));
        auto text = fs::read_file(sidecar);
        auto manifest = text ? parse_manifest(*text) : Result<Manifest>(failure(text.error()));
        if (!manifest) {
            spdlog::error("vault: cannot read {}: {}. The version it describes is hidden "
                          "until the file is repaired; its archive is kept",
                          sidecar.string(), manifest.error());
            continue;
        }
        if (sidecar_path(*manifest) != sidecar) {
            spdlog::warn("vault: ignoring {}: it describes {} {}, which belongs at {}",
                         sidecar.string(), manifest->model, manifest->version.to_string(),
                         sidecar_path(*manifest).string());
            continue;
        }
        m_catalog.add(std::move(*manifest));
    }
    for (const auto& archive : archives) {
        if (stems_with_sidecar.count(archive.parent_path() /
                                     version_stem(archive.filename().string())) == 0) {
            spdlog::warn("vault: removing {}: an archive without a manifest, left by a backup "
                         "that was interrupted before its commit",
                         archive.string());
            value_or_throw(fs::remove_durable(archive));
        }
    }
    // Histories belong to the model whose versions share their folder.
    std::map<stdfs::path, std::string> model_of_dir;
    for (const auto& model : m_catalog.models()) {
        model_of_dir.emplace(history_path(model).parent_path(), model);
    }
    for (const auto& file : histories) {
        const auto owner = model_of_dir.find(file.parent_path());
        if (owner == model_of_dir.end()) {
            continue; // a model without versions has no pointers to restore
        }
        std::vector<std::string> problems;
        auto records = parse_history(value_or_throw(fs::read_file(file)), problems);
        for (const auto& problem : problems) {
            spdlog::warn("vault: {}: {} (line ignored)", file.string(), problem);
        }
        for (auto& record : records) {
            m_catalog.add_history(owner->second, std::move(record));
        }
    }
    spdlog::info("vault {}: {} models, {} versions, {}", m_options.root.string(),
                 m_catalog.model_count(), m_catalog.version_count(),
                 format_bytes(m_catalog.stored_bytes()));
}

} // namespace mv::vault
