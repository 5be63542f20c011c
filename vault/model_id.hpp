#pragma once
// Model identity (docs/FORMAT.md): `WATCH/RELATIVE_PATH` for layout `files`, `WATCH` for layout
// `directory`. The relative path is raw bytes (file names may be any bytes but '/' and
// NUL); its text form, used in the protocol, manifests and on the command line, is
// escape_name() of it. vault_dir() maps ids injectively to folders inside the vault that
// can never escape it.

#include <compare>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "util/expected.hpp"

namespace mv::vault {

struct ModelId {
    std::string watch;    ///< the watch's name, [A-Za-z0-9._-]+
    std::string relative; ///< raw bytes, '/'-separated, normalised; empty for layout directory

    /// "pacman/agents/dqn.pkl" (escaped), or "pacman".
    std::string text() const;
    /// "models/<watch>/<folder name of each component>/..." relative to the vault root
    /// (see folder_name()).
    std::filesystem::path vault_dir() const;
    /// The model whose vault_dir() is `dir`, when its folder names can be read back (not
    /// for hashed ones); nullopt otherwise.
    static std::optional<ModelId> from_vault_dir(const std::filesystem::path& dir);
    /// Parses the text form; rejects bad watch names, "..", "." and empty components.
    static Result<ModelId> parse(std::string_view text);

    friend auto operator<=>(const ModelId&, const ModelId&) = default;
};

/// Longest folder name vault_dir() makes: NAME_MAX of Linux file systems.
inline constexpr std::size_t k_max_folder_name = 255;

/// The vault folder name of one path component: encode_path_component() of it when that
/// fits in k_max_folder_name bytes; else the first ≤ 160 bytes of that encoding (cut
/// between two encoded characters), '~' and the 64 hex digits of the component's SHA-256.
/// encode_path_component() never writes '~', so the mapping stays injective (docs/FORMAT.md).
std::string folder_name(std::string_view component);

/// Checks a watch name: non-empty, [A-Za-z0-9._-]+, not "." or "..".
Result<void> validate_watch_name(std::string_view name);

/// Checks a raw relative path: no leading '/', no empty, "." or ".." component, no NUL.
Result<void> validate_relative_path(std::string_view relative);

} // namespace mv::vault
