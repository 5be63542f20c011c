#include "vault/vault.hpp"

#include <cerrno>
#include <fcntl.h>
#include <limits>
#include <set>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/escape.hpp"
#include "util/fs.hpp"
#include "vault/codec.hpp"
#include "vault/model_format.hpp"
#include "vault/readme.hpp"
#include "vault/sha256.hpp"

namespace mv::vault {

namespace {

using nlohmann::json;
namespace stdfs = std::filesystem;

constexpr int k_vault_format_version = 1;

std::string dump(const json& value, int indent = -1) {
    return value.dump(indent, ' ', false, json::error_handler_t::replace);
}

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
    if (!stdfs::is_empty(root)) {
        throw Fatal(fmt::format("{} is not empty and has no vault.json: it is not a modelvault "
                                "vault. Point `vault` at an empty or new folder",
                                root.string()));
    }
    const json content = {{"format", "modelvault"},
                          {"version", k_vault_format_version},
                          {"created", format_utc(clock.now())},
                          {"created_by", "modelvaultd " MV_VERSION}};
    value_or_throw(fs::write_file_atomic(marker, dump(content, 2) + "\n"),
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

std::uint64_t hash_file_size(const stdfs::path& path, std::string& sha256_out) {
    UniqueFd fd = value_or_throw(fs::open_for_reading(path, false));
    Sha256 sha;
    std::unique_ptr<char[]> buffer(new char[1u << 20]);
    std::uint64_t total = 0;
    while (true) {
        const ssize_t got = ::read(fd.get(), buffer.get(), 1u << 20);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            throw Error(errno_message(fmt::format("cannot read {}", path.string()), errno));
        }
        if (got == 0) {
            break;
        }
        sha.update(buffer.get(), static_cast<std::size_t>(got));
        total += static_cast<std::uint64_t>(got);
    }
    sha256_out = sha.hex_digest();
    return total;
}

} // namespace

Vault::Vault(VaultOptions options, const Clock& clock, UniqueFd lock)
    : m_options(std::move(options)), m_clock(clock), m_lock(std::move(lock)) {}

Vault::~Vault() = default;

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
    const stdfs::path models = m_options.root / "models";
    for (auto it = stdfs::recursive_directory_iterator(models);
         it != stdfs::recursive_directory_iterator(); ++it) {
        if (!it->is_regular_file()) {
            continue;
        }
        const std::string name = it->path().filename().string();
        if (ends_with(name, ".json")) {
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
            spdlog::warn("vault: ignoring {}: {} (run `modelvaultctl verify --all`)",
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
    spdlog::info("vault {}: {} models, {} versions, {}", m_options.root.string(),
                 m_catalog.model_count(), m_catalog.version_count(),
                 format_bytes(m_catalog.stored_bytes()));
}

WriteResult Vault::write_version(const NewVersion& request, const std::stop_token& stop,
                                 const ProgressFn& progress) {
    const std::string model = request.model.text();
    const SystemTime created = std::chrono::time_point_cast<std::chrono::seconds>(m_clock.now());
    config::Compression compression;
    {
        std::shared_lock lock(m_mutex);
        compression = m_options.compression;
    }

    // A draft with the widest values each field can take sizes the manifest's reserve.
    Manifest manifest;
    manifest.model = model;
    manifest.watch = request.model.watch;
    manifest.version = Version{999999999, 999999999, 999999999};
    manifest.sequence = 99999999999999;
    manifest.parent = manifest.version;
    manifest.created = created;
    manifest.trigger = request.trigger;
    manifest.bump = "initial";
    manifest.reason = request.reason;
    manifest.metrics = request.metrics;
    manifest.compat = request.compat;
    manifest.tags = request.tags;
    manifest.note = request.note;
    manifest.host = m_options.host;
    manifest.incomplete = request.incomplete;
    manifest.archive = {fmt::format("{}_{}{}", manifest.version.to_string(), format_stamp(created),
                                    archive_extension(compression.codec)),
                        0,
                        "",
                        config::to_string(compression.codec),
                        compression.level,
                        false};
    for (const auto& source : request.files) {
        FileEntry placeholder;
        placeholder.path = source.relative;
        placeholder.role = source.role;
        placeholder.size = 99999999999999999;
        placeholder.mtime_ns = std::numeric_limits<std::int64_t>::max();
        placeholder.sha256 = std::string(64, '0');
        placeholder.format = "unknown-format-name";
        manifest.files.push_back(placeholder);
    }
    // The draft already holds the widest values; the margin covers JSON number formatting.
    const std::size_t capacity = dump(to_json(manifest)).size() + 256;
    manifest.files.clear();

    ArchiveWriter writer(tmp_dir() / fmt::format("write-{}.part", fs::unique_suffix()), compression,
                         capacity);
    std::uint64_t bytes_before = 0;
    const auto add = [&](const SourceFile& source) {
        FileEntry entry = writer.add_file(source, stop, [&](std::uint64_t done) {
            if (progress) {
                progress(bytes_before + done);
            }
        });
        if (auto fd = fs::open_for_reading(source.absolute, false); fd) {
            const DetectedFormat detected = detect_format(fd->get(), source.relative);
            entry.format = detected.format;
            entry.format_mismatch = source.role == FileRole::model && !detected.matches_extension;
        }
        bytes_before += entry.size;
        manifest.files.push_back(std::move(entry));
    };
    for (const auto& source : request.files) {
        if (source.role == FileRole::model) {
            add(source);
        }
    }
    {
        std::shared_lock lock(m_mutex);
        if (const Manifest* same = m_catalog.find_identical(model, manifest.files)) {
            return WriteResult{false, *same, bytes_before};
        }
        const Manifest* latest = m_catalog.latest(model);
        const auto highest = m_catalog.highest_version(model);
        const Bump bump = request.bump.value_or(Bump::patch);
        manifest.version = highest ? highest->bumped(bump) : k_first_version;
        manifest.bump = highest ? to_string(bump) : "initial";
        manifest.sequence = latest ? latest->sequence + 1 : 1;
        manifest.parent = latest ? std::optional<Version>(latest->version) : std::nullopt;
    }
    for (const auto& source : request.files) {
        if (source.role == FileRole::sidecar) {
            add(source);
        }
    }
    for (const auto& file : manifest.files) {
        if (file.format_mismatch) {
            spdlog::warn("{}: {} does not look like its extension says (content: {})", model,
                         escape_name(file.path), file.format);
        }
    }
    manifest.archive.file =
        fmt::format("{}_{}{}", manifest.version.to_string(), format_stamp(created),
                    archive_extension(compression.codec));
    writer.add_text("README.md", render_readme(manifest), created);
    const std::uint64_t size = writer.finish(dump(to_json(manifest)), created);

    // Read back what was written before it becomes a version.
    if (m_options.verify_after_write) {
        VerifyResult check = verify_archive(writer.path(), manifest, stop);
        if (!check.ok()) {
            throw Error(fmt::format("{} {}: read-back verification failed: {}", model,
                                    manifest.version.to_string(), check.problems.front()),
                        ErrorCode::corrupt);
        }
        manifest.archive.sha256 = check.archive_sha256;
    } else {
        hash_file_size(writer.path(), manifest.archive.sha256);
    }
    manifest.archive.size = size;

    // Commit: the archive first, the sidecar last; the sidecar makes the version exist.
    const stdfs::path archive = archive_path(manifest);
    value_or_throw(fs::create_directories_durable(archive.parent_path()), "cannot commit: ");
    if (stdfs::exists(archive) || stdfs::exists(sidecar_path(manifest))) {
        throw Error(fmt::format("cannot commit {} {}: {} already exists", model,
                                manifest.version.to_string(), archive.string()),
                    ErrorCode::conflict);
    }
    value_or_throw(fs::rename_durable(writer.path(), archive), "cannot commit: ");
    if (auto written = fs::write_file_atomic(sidecar_path(manifest),
                                             dump(to_json(manifest), 2) + "\n", tmp_dir(), 0640);
        !written) {
        (void)fs::remove_durable(archive);
        throw Error("cannot commit: " + written.error(), ErrorCode::io);
    }
    {
        std::unique_lock lock(m_mutex);
        m_catalog.add(manifest);
    }
    return WriteResult{true, std::move(manifest), bytes_before};
}

VerifyResult Vault::verify(const Manifest& manifest, const std::stop_token& stop,
                           const ProgressFn& progress) const {
    return verify_archive(archive_path(manifest), manifest, stop, progress);
}

void Vault::set_compression(const config::Compression& compression, bool verify_after_write) {
    std::unique_lock lock(m_mutex);
    m_options.compression = compression;
    m_options.verify_after_write = verify_after_write;
}

std::vector<std::string> Vault::models() const {
    std::shared_lock lock(m_mutex);
    return m_catalog.models();
}

std::vector<Manifest> Vault::versions(const std::string& model) const {
    std::shared_lock lock(m_mutex);
    return m_catalog.versions(model);
}

std::optional<Manifest> Vault::find(const std::string& model, const Version& version) const {
    std::shared_lock lock(m_mutex);
    const Manifest* found = m_catalog.find(model, version);
    return found ? std::optional<Manifest>(*found) : std::nullopt;
}

std::optional<Manifest> Vault::latest(const std::string& model) const {
    std::shared_lock lock(m_mutex);
    const Manifest* found = m_catalog.latest(model);
    return found ? std::optional<Manifest>(*found) : std::nullopt;
}

VaultStats Vault::stats() const {
    VaultStats stats;
    {
        std::shared_lock lock(m_mutex);
        stats.models = m_catalog.model_count();
        stats.versions = m_catalog.version_count();
        stats.stored_bytes = m_catalog.stored_bytes();
    }
    struct statvfs fs_stats {};
    if (::statvfs(m_options.root.c_str(), &fs_stats) == 0) {
        stats.free_bytes = static_cast<std::uint64_t>(fs_stats.f_bavail) * fs_stats.f_frsize;
        stats.total_bytes = static_cast<std::uint64_t>(fs_stats.f_blocks) * fs_stats.f_frsize;
    }
    return stats;
}

std::filesystem::path Vault::archive_path(const Manifest& manifest) const {
    auto id = ModelId::parse(manifest.model);
    return m_options.root / value_or_throw(std::move(id), "", ErrorCode::corrupt).vault_dir() /
           manifest.archive.file;
}

std::filesystem::path Vault::sidecar_path(const Manifest& manifest) const {
    auto id = ModelId::parse(manifest.model);
    return m_options.root / value_or_throw(std::move(id), "", ErrorCode::corrupt).vault_dir() /
           fmt::format("{}_{}.json", manifest.version.to_string(), format_stamp(manifest.created));
}

} // namespace mv::vault
