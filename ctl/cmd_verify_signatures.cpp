// modelvaultctl verify --signatures --public-key FILE PATH: checks the Ed25519 signatures
// of every version in the vault folder PATH, or of the exported version PATH (a .tar.zst),
// with the public key alone (docs/FORMAT.md, "Signatures"). Runs here and needs neither
// the daemon nor a key that opens the vault: a third party can check where a model came
// from without being able to read the vault or sign a version.
#include <algorithm>
#include <cstdio>
#include <fcntl.h>

#include <fmt/format.h>

#include "crypto/vault_keys.hpp"
#include "ctl/command_impl.hpp"
#include "util/escape.hpp"
#include "util/fs.hpp"
#include "vault/export_stream.hpp"
#include "vault/manifest_signature.hpp"

namespace mv::ctl {

namespace {

namespace stdfs = std::filesystem;

constexpr const char* k_signatures_usage =
    "verify --signatures --public-key FILE VAULT_DIR|ARCHIVE";
constexpr std::size_t k_max_signature_file = 64u << 10;

struct SignatureCheck {
    std::string name; ///< "lab/dqn.pkl 1.0.1 (manifest 3f1c…)", or the manifest alone
    std::string manifest;
    std::string problem; ///< empty: the signature verifies
};

// Why `record` does not vouch for its manifest under `key`; empty when it does.
std::string signature_problem(const vault::ManifestSignature& record,
                              const crypto::PublicKey& key) {
    if (vault::signature_verifies(record, key)) {
        return {};
    }
    if (record.key != key.fingerprint()) {
        return fmt::format("not signed by key {} (the signature names key {})", key.fingerprint(),
                           record.key);
    }
    return "the signature does not match: the manifest or its signature was changed";
}

SignatureCheck check_vault_manifest(const stdfs::path& root, const stdfs::path& file,
                                    const crypto::PublicKey& key) {
    const std::string name = file.filename().string();
    const auto id = name.size() == 69 && name.ends_with(".json")
                        ? store::Digest::from_hex(name.substr(0, 64))
                        : std::nullopt;
    SignatureCheck checked{"manifest " + escape_name(name), name, {}};
    if (!id) {
        checked.problem = "not a manifest file name (<64 hex>.json)";
        return checked;
    }
    checked.name = "manifest " + id->short_hex();
    auto text = fs::read_file(vault::signature_file(root, *id), k_max_signature_file, false);
    if (!text) {
        checked.problem = fmt::format("has no signature ({}): written before the vault signed "
                                      "its versions, or the vault is not encrypted",
                                      text.error());
        return checked;
    }
    auto record = vault::parse_signature(*text);
    if (!record) {
        checked.problem = "its signature file " + record.error();
        return checked;
    }
    checked.name =
        fmt::format("{} {} (manifest {})", record->model, record->version, id->short_hex());
    auto stored = fs::read_file(file, vault::k_max_manifest_bytes, false);
    if (!stored) {
        checked.problem = stored.error();
    } else if (record->manifest != *id) {
        checked.problem = "its signature is for another manifest";
    } else if (store::Digest::sha256_of(store::as_bytes(*stored)) != *id) {
        checked.problem = "the manifest file was changed or damaged: it does not hash to its name";
    } else {
        checked.problem = signature_problem(*record, key);
    }
    return checked;
}

std::vector<SignatureCheck> check_vault(const stdfs::path& root, const crypto::PublicKey& key) {
    if (!stdfs::is_directory(root / "manifests")) {
        throw Error(fmt::format("{} is not a vault (it has no manifests/ folder)", root.string()),
                    ErrorCode::invalid_argument);
    }
    std::vector<stdfs::path> files;
    for (const auto& entry : stdfs::directory_iterator(root / "manifests")) {
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<SignatureCheck> results;
    for (const auto& file : files) {
        results.push_back(check_vault_manifest(root, file, key));
    }
    return results;
}

SignatureCheck check_archive(const stdfs::path& file, const crypto::PublicKey& key) {
    auto fd = fs::open_for_reading(file);
    if (!fd) {
        throw Error(fd.error(), ErrorCode::invalid_argument);
    }
    vault::ArchiveReader reader(std::move(*fd), file.string());
    auto archive = vault::check_version_archive(reader);
    if (!archive) {
        throw Error(
            fmt::format("{} is not an intact exported version: {}", file.string(), archive.error()),
            ErrorCode::corrupt);
    }
    const auto& m = archive->manifest;
    SignatureCheck checked{fmt::format("{} {} ({})", m.model, m.version.to_string(), file.string()),
                           file.string(),
                           {}};
    auto record = vault::parse_signature(archive->signature);
    if (archive->signature.empty()) {
        checked.problem = "the archive carries no signature: it was exported from a plain vault "
                          "or by a modelvault that did not sign";
    } else if (!record) {
        checked.problem = "its signature.json " + record.error();
    } else if (record->text != store::Digest::sha256_of(store::as_bytes(archive->manifest_text)) ||
               record->model != m.model || record->version != m.version.to_string()) {
        checked.problem = "its signature is for another manifest: manifest.json was changed";
    } else {
        checked.problem = signature_problem(*record, key);
    }
    return checked;
}

} // namespace

int run_verify_signatures(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 1, 1, k_signatures_usage);
    const auto key_file = args.value("public-key");
    if (!key_file) {
        throw UsageError(fmt::format("--public-key FILE is required (`modelvaultctl key public "
                                     "--vault DIR` writes it); usage: modelvaultctl {}",
                                     k_signatures_usage));
    }
    auto key = crypto::read_public_key_file(*key_file);
    if (!key) {
        throw Error(key.error(), ErrorCode::invalid_argument);
    }
    const stdfs::path target = args.positional()[0];
    const bool vault = stdfs::is_directory(target);
    const std::vector<SignatureCheck> results =
        vault ? check_vault(target, *key)
              : std::vector<SignatureCheck>{check_archive(target, *key)};
    const auto failed = static_cast<std::size_t>(
        std::count_if(results.begin(), results.end(),
                      [](const SignatureCheck& c) { return !c.problem.empty(); }));
    if (global.json) {
        json listed = json::array();
        for (const auto& c : results) {
            listed.push_back({{"name", c.name},
                              {"object", c.manifest},
                              {"ok", c.problem.empty()},
                              {"problem", c.problem.empty() ? json(nullptr) : json(c.problem)}});
        }
        print_json({{"key", key->fingerprint()},
                    {"checked", results.size()},
                    {"failed", failed},
                    {"results", listed}});
    } else {
        for (const auto& c : results) {
            std::printf(c.problem.empty() ? "signed   %s\n" : "FAILED   %s: %s\n", c.name.c_str(),
                        c.problem.c_str());
        }
        std::printf("%zu version%s checked against key %s, %zu failed\n", results.size(),
                    results.size() == 1 ? "" : "s", key->fingerprint().c_str(), failed);
    }
    return failed == 0 && !results.empty() ? k_exit_ok : k_exit_failure;
}

} // namespace mv::ctl
