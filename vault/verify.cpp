#include "vault/verify.hpp"

#include <fmt/format.h>

#include "util/escape.hpp"
#include "vault/version_reader.hpp"

namespace mv::vault {

VerifyResult verify_version(const store::Store& store, const Manifest& manifest, VerifyDepth depth,
                            const std::stop_token& stop, const ProgressFn& progress) {
    VerifyResult result;
    // What restore refuses, verify reports (the same check, the same words).
    if (auto safe = check_stored_paths(manifest); !safe) {
        result.problems.push_back(safe.error());
    }
    VersionReader reader(store);
    for (const auto& file : manifest.files) {
        auto problems = reader.check_file(file);
        result.problems.insert(result.problems.end(), problems.begin(), problems.end());
        if (depth != VerifyDepth::read_data || !problems.empty()) {
            continue;
        }
        try {
            reader.read_file(
                manifest, file,
                [&](std::span<const std::uint8_t> bytes) {
                    result.bytes_read += bytes.size();
                    if (progress) {
                        progress(result.bytes_read);
                    }
                },
                stop);
        } catch (const Error& e) {
            if (e.code() == ErrorCode::cancelled) {
                throw;
            }
            // The message names model and version; the result is per version already.
            const std::string prefix =
                fmt::format("{} {}: ", manifest.model, manifest.version.to_string());
            const std::string what = e.what();
            result.problems.push_back(what.starts_with(prefix) ? what.substr(prefix.size()) : what);
        }
    }
    return result;
}

} // namespace mv::vault
