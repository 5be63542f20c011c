#include "vault/diff.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <set>

#include "vault/sha256.hpp"
#include "vault/version_reader.hpp"

namespace mv::vault {

namespace {

using nlohmann::json;
using BlockDigests = std::vector<std::string>;

// The per-block digests of one file, read back from the store.
BlockDigests block_digests(VersionReader& reader, const Manifest& manifest, const FileEntry& file,
                           const std::stop_token& stop, const ProgressFn& progress,
                           std::uint64_t& done) {
    BlockDigests blocks;
    Sha256 sha;
    std::uint64_t in_block = 0;
    reader.read_file(
        manifest, file,
        [&](std::span<const std::uint8_t> bytes) {
            // Blocks may straddle chunks: feed the hash up to each block boundary.
            std::size_t offset = 0;
            while (offset < bytes.size()) {
                const std::size_t take = static_cast<std::size_t>(
                    std::min<std::uint64_t>(k_diff_block - in_block, bytes.size() - offset));
                sha.update(bytes.data() + offset, take);
                in_block += take;
                offset += take;
                if (in_block == k_diff_block) {
                    blocks.push_back(sha.hex_digest());
                    in_block = 0;
                }
            }
            done += bytes.size();
            if (progress) {
                progress(done);
            }
        },
        stop);
    if (in_block > 0) {
        blocks.push_back(sha.hex_digest());
    }
    return blocks;
}

double identical_share(const BlockDigests& x, const BlockDigests& y) {
    const std::size_t total = std::max(x.size(), y.size());
    std::size_t same = 0;
    for (std::size_t i = 0; i < std::min(x.size(), y.size()); ++i) {
        same += x[i] == y[i] ? 1 : 0;
    }
    return total == 0 ? 1.0 : static_cast<double>(same) / static_cast<double>(total);
}

std::vector<ChunkRef> all_chunks(const Manifest& manifest) {
    std::vector<ChunkRef> chunks;
    for (const auto& file : manifest.files) {
        chunks.insert(chunks.end(), file.chunks.begin(), file.chunks.end());
    }
    return chunks;
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

std::pair<std::uint64_t, std::uint64_t> shared_chunks(const std::vector<ChunkRef>& a,
                                                      const std::vector<ChunkRef>& b) {
    std::map<store::ChunkId, std::size_t> available;
    for (const auto& chunk : a) {
        ++available[chunk.id];
    }
    std::uint64_t chunks = 0;
    std::uint64_t bytes = 0;
    for (const auto& chunk : b) {
        const auto it = available.find(chunk.id);
        if (it != available.end() && it->second > 0) {
            --it->second;
            ++chunks;
            bytes += chunk.size;
        }
    }
    return {chunks, bytes};
}

namespace {

// Metrics: every numeric value that differs or exists on one side only.
std::vector<MetricDiff> metric_differences(const Manifest& a, const Manifest& b) {
    std::map<std::string, MetricDiff> metrics;
    for (const auto& [pointer, value] : numeric_leaves(a.metrics)) {
        metrics[pointer].metric = pointer;
        metrics[pointer].a = value;
    }
    for (const auto& [pointer, value] : numeric_leaves(b.metrics)) {
        metrics[pointer].metric = pointer;
        metrics[pointer].b = value;
    }
    std::vector<MetricDiff> differences;
    for (auto& [pointer, diff] : metrics) {
        if (diff.a != diff.b) {
            differences.push_back(std::move(diff));
        }
    }
    return differences;
}

// Compat values that differ.
std::vector<ValueDiff> compat_changes(const Manifest& a, const Manifest& b) {
    std::set<std::string> keys;
    for (const auto& [key, value] : a.compat.items()) {
        keys.insert(key);
    }
    for (const auto& [key, value] : b.compat.items()) {
        keys.insert(key);
    }
    std::vector<ValueDiff> changes;
    for (const auto& key : keys) {
        const json va = a.compat.contains(key) ? a.compat[key] : json(nullptr);
        const json vb = b.compat.contains(key) ? b.compat[key] : json(nullptr);
        if (va != vb) {
            changes.push_back({key, va, vb});
        }
    }
    return changes;
}

} // namespace

VersionDiff diff_versions(const store::Store& store, const Manifest& a, const Manifest& b,
                          const std::stop_token& stop, const ProgressFn& progress) {
    VersionDiff result;
    std::map<std::string, const FileEntry*> in_a;
    std::map<std::string, const FileEntry*> in_b;
    std::set<std::string> all;
    for (const auto& f : a.files) {
        in_a[f.member()] = &f;
        all.insert(f.member());
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
        all.insert(key);
    }
    VersionReader reader(store);
    std::uint64_t done = 0;
    for (const auto& member : all) {
        FileDiff diff;
        diff.member = member;
        const FileEntry* fa = in_a.contains(member) ? in_a[member] : nullptr;
        const FileEntry* fb = in_b.contains(member) ? in_b[member] : nullptr;
        diff.size_a = fa ? fa->size : 0;
        diff.size_b = fb ? fb->size : 0;
        diff.chunks_a = fa ? fa->chunks.size() : 0;
        diff.chunks_b = fb ? fb->chunks.size() : 0;
        diff.status = !fa                        ? FileDiff::Status::added
                      : !fb                      ? FileDiff::Status::removed
                      : fa->sha256 != fb->sha256 ? FileDiff::Status::changed
                                                 : FileDiff::Status::same;
        if (fb && real_b[member] != member) {
            diff.member_b = real_b[member];
        }
        if (fa && fb) {
            std::tie(diff.shared_chunks, diff.shared_bytes) = shared_chunks(fa->chunks, fb->chunks);
        }
        if (diff.status == FileDiff::Status::changed) {
            const auto x = block_digests(reader, a, *fa, stop, progress, done);
            const auto y = block_digests(reader, b, *fb, stop, progress, done);
            diff.identical_blocks = identical_share(x, y);
        }
        result.files.push_back(std::move(diff));
    }
    const auto chunks_b = all_chunks(b);
    std::tie(result.shared_chunks, result.shared_bytes) = shared_chunks(all_chunks(a), chunks_b);
    result.chunks_b = chunks_b.size();
    result.bytes_b = b.total_size();
    result.metrics = metric_differences(a, b);
    result.compat = compat_changes(a, b);
    return result;
}

} // namespace mv::vault
