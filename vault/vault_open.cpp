// Opening a vault: the marker file and the daemon lock; vault_recover.cpp then cleans up
// after a crash and loads the catalog.
#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/fs.hpp"
#include "util/json_depth.hpp"
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
            const std::string content = value_or_throw(std::move(text));
            value_or_throw(check_json_depth(content, marker.string()));
            parsed = json::parse(content);
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

} // namespace mv::vault
