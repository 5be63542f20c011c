#include "vault/manifest_file.hpp"

#include <fmt/format.h>

#include "util/fs.hpp"
#include "vault/json_text.hpp"
#include "vault/manifest_signature.hpp"

namespace mv::vault {

std::string manifest_text(const Manifest& manifest) {
    return json_text(to_json(manifest), 2) + "\n";
}

std::filesystem::path manifest_file(const std::filesystem::path& root, const store::Digest& id) {
    return root / "manifests" / (id.hex() + ".json");
}

Result<void> write_manifest_file(const std::filesystem::path& root,
                                 const std::filesystem::path& tmp, Manifest& manifest,
                                 const store::Sealing& sealing, const crypto::SigningKey* signer) {
    for (const auto& file : manifest.files) {
        if (file.chunks.size() != file.chunk_count) {
            return failure("internal error: a manifest without its chunk lists cannot be written");
        }
    }
    const std::string plain = manifest_text(manifest);
    const auto sealed = sealing.seal(crypto::Role::manifest, {}, store::as_bytes(plain));
    const std::string text(sealed.begin(), sealed.end());
    const store::Digest id = store::Digest::sha256_of(store::as_bytes(text));
    if (signer != nullptr) {
        const auto signature =
            sign_manifest(*signer, id, plain, manifest.model, manifest.version.to_string());
        if (auto made = fs::create_directories_durable(root / "signatures"); !made) {
            return made;
        }
        if (auto written = fs::write_file_atomic(signature_file(root, id),
                                                 signature_text(signature), tmp, 0640);
            !written) {
            return failure("cannot write its signature: " + written.error());
        }
    }
    if (auto written = fs::write_file_atomic(manifest_file(root, id), text, tmp, 0640); !written) {
        return failure(written.error());
    }
    manifest.object = id;
    return {};
}

Result<std::string> open_manifest_bytes(std::string_view stored, const store::Sealing& sealing) {
    auto plain = sealing.open(crypto::Role::manifest, {}, store::as_bytes(stored));
    if (!plain) {
        return failure("the manifest " + plain.error());
    }
    return std::string(plain->begin(), plain->end());
}

std::optional<store::Digest> manifest_id_of_name(std::string_view name) {
    if (name.size() != 69 || !name.ends_with(".json")) {
        return std::nullopt;
    }
    return store::Digest::from_hex(name.substr(0, 64));
}

Result<void> check_format2_manifest(const Manifest& manifest) {
    if (manifest.format_version < 2) {
        return failure("a format-1 manifest among format-2 manifests");
    }
    for (const auto& entry : manifest.files) {
        if (entry.chunks.size() != entry.chunk_count) {
            return failure("a file without its list of chunks");
        }
    }
    return {};
}

Result<Manifest> read_manifest_file(const std::filesystem::path& file,
                                    const store::Sealing& sealing) {
    const auto id = manifest_id_of_name(file.filename().string());
    if (!id) {
        return failure("its name is not <64 hex>.json");
    }
    auto text = fs::read_file(file);
    if (!text) {
        return failure(text.error());
    }
    if (store::Digest::sha256_of(store::as_bytes(*text)) != *id) {
        return failure("its content does not hash to its name (it was changed or damaged)");
    }
    auto plain = open_manifest_bytes(*text, sealing);
    if (!plain) {
        return failure(plain.error());
    }
    auto manifest = parse_manifest(*plain);
    if (!manifest) {
        return failure(manifest.error());
    }
    if (auto checked = check_format2_manifest(*manifest); !checked) {
        return failure(checked.error());
    }
    manifest->object = *id;
    return manifest;
}

} // namespace mv::vault
