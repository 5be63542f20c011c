#include "vault/model_id.hpp"

#include <fmt/format.h>

#include "util/escape.hpp"
#include "vault/sha256.hpp"

namespace mv::vault {

std::string ModelId::text() const {
    if (relative.empty()) {
        return watch;
    }
    return watch + "/" + escape_name(relative);
}

namespace {

/// Bytes of the readable prefix kept in a hashed folder name: with '~' and 64 hex digits
/// the name stays well under k_max_folder_name.
constexpr std::size_t k_hashed_prefix = 160;

// True when encoded[pos] starts an encoded character: not inside a %XX escape, not a
// UTF-8 continuation byte.
bool starts_character(std::string_view encoded, std::size_t pos) {
    const auto byte = static_cast<unsigned char>(encoded[pos]);
    if (byte >= 0x80 && byte < 0xc0) {
        return false;
    }
    for (std::size_t back = 1; back <= 2 && back <= pos; ++back) {
        if (encoded[pos - back] == '%') {
            return false;
        }
    }
    return true;
}

} // namespace

std::string folder_name(std::string_view component) {
    std::string encoded = encode_path_component(component);
    if (encoded.size() <= k_max_folder_name) {
        return encoded;
    }
    // "a%2e%2e" must not be cut inside an escape: find the last character start.
    std::size_t cut = k_hashed_prefix;
    while (cut > 0 && !starts_character(encoded, cut)) {
        --cut;
    }
    encoded.resize(cut);
    return encoded + "~" + sha256_hex(component);
}

std::filesystem::path ModelId::vault_dir() const {
    std::filesystem::path dir = std::filesystem::path("models") / folder_name(watch);
    std::size_t start = 0;
    while (start < relative.size()) {
        std::size_t end = relative.find('/', start);
        if (end == std::string::npos) {
            end = relative.size();
        }
        dir /= folder_name(std::string_view(relative).substr(start, end - start));
        start = end + 1;
    }
    return dir;
}

std::optional<ModelId> ModelId::from_vault_dir(const std::filesystem::path& dir) {
    auto part = dir.begin();
    if (part == dir.end() || *part != "models" || ++part == dir.end()) {
        return std::nullopt;
    }
    ModelId id;
    const auto watch = decode_path_component(part->string());
    if (!watch || !validate_watch_name(*watch)) {
        return std::nullopt;
    }
    id.watch = *watch;
    for (++part; part != dir.end(); ++part) {
        const auto component = decode_path_component(part->string());
        if (!component) {
            return std::nullopt;
        }
        id.relative += (id.relative.empty() ? "" : "/") + *component;
    }
    // Hashed names (and anything not written by vault_dir()) do not read back.
    if (!validate_relative_path(id.relative) || id.vault_dir() != dir) {
        return std::nullopt;
    }
    return id;
}

Result<void> validate_watch_name(std::string_view name) {
    if (name.empty() || name == "." || name == "..") {
        return failure(fmt::format("invalid watch name \"{}\": use letters, digits, '.', '_' "
                                   "and '-' (not \".\" or \"..\")",
                                   escape_name(name)));
    }
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) {
            return failure(fmt::format("invalid watch name \"{}\": use letters, digits, '.', "
                                       "'_' and '-'",
                                       escape_name(name)));
        }
    }
    return {};
}

Result<void> validate_relative_path(std::string_view relative) {
    if (relative.empty()) {
        return {};
    }
    if (relative.find('\0') != std::string_view::npos) {
        return failure("a model path cannot contain a NUL byte");
    }
    std::size_t start = 0;
    while (start <= relative.size()) {
        std::size_t end = relative.find('/', start);
        if (end == std::string_view::npos) {
            end = relative.size();
        }
        const std::string_view component = relative.substr(start, end - start);
        if (component.empty() || component == "." || component == "..") {
            return failure(fmt::format("invalid model path \"{}\": it must be relative, without "
                                       "empty, \".\" or \"..\" components",
                                       escape_name(relative)));
        }
        start = end + 1;
    }
    return {};
}

Result<ModelId> ModelId::parse(std::string_view text) {
    const std::size_t slash = text.find('/');
    ModelId id;
    id.watch = std::string(text.substr(0, slash));
    if (auto ok = validate_watch_name(id.watch); !ok) {
        return failure(ok.error());
    }
    if (slash == std::string_view::npos) {
        return id;
    }
    auto raw = unescape_name(text.substr(slash + 1));
    if (!raw) {
        return failure(raw.error());
    }
    if (raw->empty()) {
        return failure(fmt::format("invalid model \"{}\": nothing after the watch name", text));
    }
    if (auto ok = validate_relative_path(*raw); !ok) {
        return failure(ok.error());
    }
    id.relative = std::move(*raw);
    return id;
}

} // namespace mv::vault
