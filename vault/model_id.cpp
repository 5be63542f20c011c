#include "vault/model_id.hpp"

#include <fmt/format.h>

#include "util/escape.hpp"

namespace mv::vault {

std::string ModelId::text() const {
    if (relative.empty()) {
        return watch;
    }
    return watch + "/" + escape_name(relative);
}

std::filesystem::path ModelId::vault_dir() const {
    std::filesystem::path dir = std::filesystem::path("models") / encode_path_component(watch);
    std::size_t start = 0;
    while (start < relative.size()) {
        std::size_t end = relative.find('/', start);
        if (end == std::string::npos) {
            end = relative.size();
        }
        dir /= encode_path_component(std::string_view(relative).substr(start, end - start));
        start = end + 1;
    }
    return dir;
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
