#include "vault/verify.hpp"

#include <fcntl.h>
#include <map>

#include <fmt/format.h>

#include "util/escape.hpp"
#include "util/fs.hpp"
#include "vault/archive_reader.hpp"
#include "vault/io_chunk.hpp"

namespace mv::vault {

namespace {

std::string short_hash(const std::string& hash) {
    return hash.size() > 12 ? hash.substr(0, 12) + "…" : hash;
}

// The embedded manifest must describe the same version and the same files.
void compare_manifests(const Manifest& embedded, const Manifest& expected,
                       std::vector<std::string>& problems) {
    if (embedded.model != expected.model || embedded.version != expected.version) {
        problems.push_back(fmt::format("manifest.json describes {} {}, not {} {}", embedded.model,
                                       embedded.version.to_string(), expected.model,
                                       expected.version.to_string()));
        return;
    }
    if (embedded.files.size() != expected.files.size()) {
        problems.push_back("manifest.json lists a different set of files than the sidecar");
        return;
    }
    for (std::size_t i = 0; i < embedded.files.size(); ++i) {
        if (embedded.files[i].member() != expected.files[i].member() ||
            embedded.files[i].sha256 != expected.files[i].sha256) {
            problems.push_back(fmt::format("manifest.json disagrees with the sidecar about {}",
                                           escape_name(expected.files[i].member())));
        }
    }
}

} // namespace

VerifyResult verify_archive(const std::filesystem::path& archive, const Manifest& expected,
                            const std::stop_token& stop, const ProgressFn& progress) {
    VerifyResult result;
    // What restore refuses, verify reports (the same check, the same words).
    if (auto safe = check_stored_paths(expected); !safe) {
        result.problems.push_back(safe.error());
    }
    auto fd = fs::open_for_reading(archive, false);
    if (!fd) {
        result.problems.push_back(fd.error());
        return result;
    }
    std::map<std::string, const FileEntry*> pending;
    for (const auto& file : expected.files) {
        pending.emplace(file.member(), &file);
    }
    try {
        ArchiveReader reader(std::move(*fd), archive.string());
        std::unique_ptr<char[]> buffer(new char[k_io_chunk]);
        bool first = true;
        bool saw_readme = false;
        while (auto member = reader.next()) {
            const std::string shown = escape_name(member->path);
            Sha256 sha;
            std::string manifest_text;
            std::uint64_t size = 0;
            while (const std::size_t got = reader.read(buffer.get(), k_io_chunk)) {
                if (stop.stop_requested()) {
                    throw Error(fmt::format("verification of {} abandoned", archive.string()),
                                ErrorCode::cancelled);
                }
                sha.update(buffer.get(), got);
                if (first && manifest_text.size() < k_max_manifest_bytes) {
                    manifest_text.append(buffer.get(), got);
                }
                size += got;
                if (progress) {
                    progress(reader.bytes_consumed());
                }
            }
            if (first) {
                first = false;
                if (member->path != "manifest.json") {
                    result.problems.push_back(
                        fmt::format("the first member is {}, expected manifest.json", shown));
                } else if (auto embedded = parse_manifest(manifest_text); !embedded) {
                    result.problems.push_back("manifest.json: " + embedded.error());
                } else {
                    compare_manifests(*embedded, expected, result.problems);
                }
                continue;
            }
            if (member->path == "README.md") {
                saw_readme = true;
                continue;
            }
            const auto it = pending.find(member->path);
            if (it == pending.end()) {
                result.problems.push_back(fmt::format("{}: not listed in the manifest", shown));
                continue;
            }
            const FileEntry& file = *it->second;
            const std::string digest = sha.hex_digest();
            if (member->type != Member::Type::regular) {
                result.problems.push_back(fmt::format("{}: not a regular file", shown));
            } else if (size != file.size) {
                result.problems.push_back(
                    fmt::format("{}: size {} bytes, manifest says {}", shown, size, file.size));
            } else if (digest != file.sha256) {
                result.problems.push_back(fmt::format("{}: SHA-256 mismatch (manifest {}, "
                                                      "archive {})",
                                                      shown, short_hash(file.sha256),
                                                      short_hash(digest)));
            }
            pending.erase(it);
        }
        for (const auto& [member, file] : pending) {
            result.problems.push_back(
                fmt::format("{}: missing from the archive", escape_name(member)));
        }
        if (!saw_readme && result.problems.empty()) {
            result.problems.push_back("README.md: missing from the archive");
        }
        std::tie(result.archive_size, result.archive_sha256) = reader.finish();
    } catch (const Error& e) {
        if (e.code() == ErrorCode::cancelled) {
            throw;
        }
        result.problems.push_back(e.what());
        return result;
    }
    if (expected.archive.size != 0 && expected.archive.size != result.archive_size) {
        result.problems.push_back(fmt::format("archive is {} bytes, the manifest says {}",
                                              result.archive_size, expected.archive.size));
    } else if (!expected.archive.sha256.empty() &&
               expected.archive.sha256 != result.archive_sha256) {
        result.problems.push_back(fmt::format("archive SHA-256 mismatch (manifest {}, file {})",
                                              short_hash(expected.archive.sha256),
                                              short_hash(result.archive_sha256)));
    }
    return result;
}

} // namespace mv::vault
