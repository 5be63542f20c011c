#pragma once
// The short README.md stored in every archive, for someone who finds the archive without
// modelvault at hand.

#include <string>

#include "vault/manifest.hpp"

namespace mv::vault {

/// Markdown: model, version, trigger and reason, files, metrics and parameters, and how
/// to unpack the archive with and without modelvault.
std::string render_readme(const Manifest& manifest);

/// The file name `modelvaultctl export` proposes: "<last part of the model id>-<version>.tar.zst".
std::string export_file_name(const Manifest& manifest);

} // namespace mv::vault
