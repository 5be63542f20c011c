#include "vault/diff.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <set>

#include "util/fs.hpp"
#include "vault/archive_reader.hpp"
#include "vault/io_chunk.hpp"
#include "vault/sha256.hpp"

namespace mv::vault {

namespace {

using nlohmann::json;
using BlockDigests = std::vector<std::string>;

// One pass over an archive: the per-block digests of the members asked for.
std::map<std::string, BlockDigests> block_digests(const std::filesystem::path& archive,
                                                  const std::set<std::string>& members,
                                                  const std::stop_token& stop,
                                                  const ProgressFn& progress,
                                                  std::uint64_t progress_base) {
    std::map<std::string, BlockDigests> digests;
    ArchiveReader reader(
        value_or_throw(fs::open_for_reading(archive, false), "", ErrorCode::corrupt),
        archive.string());
    std::unique_ptr<char[]> buffer(new char[k_io_chunk]);
    while (auto member = reader.next()) {
        const bool wanted = members.count(member->path) != 0;
        BlockDigests* blocks = wanted ? &digests[member->path] : nullptr;
        Sha256 sha;
        std::uint64_t in_block = 0;
        while (const std::size_t got = reader.read(buffer.get(), k_io_chunk)) {
            if (stop.stop_requested()) {
                throw Error("diff abandoned", ErrorCode::cancelled);
            }
            if (blocks == nullptr) {
                continue;
            }
            // Blocks may straddle reads: feed the hash up to each block boundary.
            std::size_t offset = 0;
            while (offset < got) {
                const std::size_t take = static_cast<std::size_t>(
                    std::min<std::uint64_t>(k_diff_block - in_block, got - offset));
                sha.update(buffer.get() + offset, take);
                in_block += take;
                offset += take;
                if (in_block == k_diff_block) {
                    blocks->push_back(sha.hex_digest());
                    in_block = 0;
                }
            }
            if (progress) {
                progress(progress_base + reader.bytes_consumed());
            }
        }
        if (blocks != nullptr && in_block > 0) {
            blocks->push_back(sha.hex_digest());
        }
    }
    return digests;
}

void collect_leaves(const json& node, const std::string& pointer,
                    std::vector<std::pair<std::string, double>>& out) {
    if (node.is_number()) {
        out.emplace_back(pointer, node.get<double>());
    } else if (node.is_object()) {
        for (const auto& [key, child] : node.items()) {
            std::string escaped;
            for (char c : key) {
                escaped += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
            }
            collect_leaves(child, pointer + "/" + escaped, out);
        }
    } else if (node.is_array()) {
        for (std::size_t i = 0; i < node.size(); ++i) {
            collect_leaves(node[i], pointer + "/" + std::to_string(i), out);
        }
    }
}

} // namespace

const char* to_string(FileDiff::Status status) {
    switch (status) {
    case FileDiff::Status::same:
        return "same";
    case FileDiff::Status::changed:
        return "changed";
    case FileDiff::Status::added:
        return "added";
    case FileDiff::Status::removed:
        return "removed";
    }
    return "same";
}

std::vector<std::pair<std::string, double>> numeric_leaves(const json& document) {
    std::vector<std::pair<std::string, double>> leaves;
    collect_leaves(document, "", leaves);
    std::sort(leaves.begin(), leaves.end());
    return leaves;
}

VersionDiff diff_versions(const std::filesystem::path& archive_a, const Manifest& a,
                          const std::filesystem::path& archive_b, const Manifest& b,
                          const std::stop_token& stop, const ProgressFn& progress) {
    VersionDiff result;
    std::map<std::string, const FileEntry*> in_a;
    std::map<std::string, const FileEntry*> in_b;
    for (const auto& f : a.files) {
        in_a[f.member()] = &f;
    }
    // Two models of layout files each hold one file named after the model: pair them.
    const auto models_a = a.model_files();
    const auto models_b = b.model_files();
    const bool paired = a.model != b.model && models_a.size() == 1 && models_b.size() == 1 &&
                        models_a[0]->member() != models_b[0]->member();
    std::map<std::string, std::string> real_b; // key in in_b → member name in archive b
    for (const auto& f : b.files) {
        const std::string key = paired && &f == models_b[0] ? models_a[0]->member() : f.member();
        in_b[key] = &f;
        real_b[key] = f.member();
    }
    std::set<std::string> changed;
    std::set<std::string> all;
    for (const auto& [m, f] : in_a) {
        all.insert(m);
    }
    for (const auto& [m, f] : in_b) {
        all.insert(m);
    }
    for (const auto& member : all) {
        FileDiff diff;
        diff.member = member;
        const auto ia = in_a.find(member);
        const auto ib = in_b.find(member);
        if (ib != in_b.end() && real_b[member] != member) {
            diff.member_b = real_b[member];
        }
        if (ia == in_a.end()) {
            diff.status = FileDiff::Status::added;
            diff.size_b = ib->second->size;
        } else if (ib == in_b.end()) {
            diff.status = FileDiff::Status::removed;
            diff.size_a = ia->second->size;
        } else {
            diff.size_a = ia->second->size;
            diff.size_b = ib->second->size;
            if (ia->second->sha256 != ib->second->sha256) {
                diff.status = FileDiff::Status::changed;
                changed.insert(member);
            }
        }
        result.files.push_back(std::move(diff));
    }
    if (!changed.empty()) {
        std::set<std::string> changed_b;
        for (const auto& member : changed) {
            changed_b.insert(real_b[member]);
        }
        const auto blocks_a = block_digests(archive_a, changed, stop, progress, 0);
        const auto blocks_b = block_digests(archive_b, changed_b, stop, progress, a.archive.size);
        for (auto& diff : result.files) {
            if (diff.status != FileDiff::Status::changed) {
                continue;
            }
            const auto& x = blocks_a.count(diff.member) ? blocks_a.at(diff.member) : BlockDigests{};
            const std::string& name_b = diff.member_b.empty() ? diff.member : diff.member_b;
            const auto& y = blocks_b.count(name_b) ? blocks_b.at(name_b) : BlockDigests{};
            const std::size_t total = std::max(x.size(), y.size());
            std::size_t same = 0;
            for (std::size_t i = 0; i < std::min(x.size(), y.size()); ++i) {
                same += x[i] == y[i] ? 1 : 0;
            }
            diff.identical_blocks =
                total == 0 ? 1.0 : static_cast<double>(same) / static_cast<double>(total);
        }
    }
    // Metrics: every numeric value that differs or exists on one side only.
    std::map<std::string, MetricDiff> metrics;
    for (const auto& [pointer, value] : numeric_leaves(a.metrics)) {
        metrics[pointer].metric = pointer;
        metrics[pointer].a = value;
    }
    for (const auto& [pointer, value] : numeric_leaves(b.metrics)) {
        metrics[pointer].metric = pointer;
        metrics[pointer].b = value;
    }
    for (auto& [pointer, diff] : metrics) {
        if (diff.a != diff.b) {
            result.metrics.push_back(std::move(diff));
        }
    }
    // Compat values that differ.
    std::set<std::string> keys;
    for (const auto& [key, value] : a.compat.items()) {
        keys.insert(key);
    }
    for (const auto& [key, value] : b.compat.items()) {
        keys.insert(key);
    }
    for (const auto& key : keys) {
        const json va = a.compat.contains(key) ? a.compat[key] : json(nullptr);
        const json vb = b.compat.contains(key) ? b.compat[key] : json(nullptr);
        if (va != vb) {
            result.compat.push_back({key, va, vb});
        }
    }
    return result;
}

} // namespace mv::vault
