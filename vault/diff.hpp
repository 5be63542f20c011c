#pragma once
// Comparing two versions (`modelvaultctl diff`): which files were added, removed or
// changed, how much of each changed file is still the same — exactly, as the bytes and
// chunks the two versions share in the store, and as the share of identical 1 MiB blocks
// at the same offsets — and how the recorded metrics and compat values moved.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.hpp"
#include "vault/manifest.hpp"
#include "vault/source_file.hpp"

namespace mv::vault {

inline constexpr std::uint64_t k_diff_block = 1u << 20;

struct FileDiff {
    enum class Status { same, changed, added, removed };
    std::string member; ///< "model/dqn.pkl", "sidecars/config.yaml"
    /// The member in B when it has another name: the model files of two different models
    /// ("model/ppo.pkl" compared with "model/dqn.pkl"); empty otherwise.
    std::string member_b;
    Status status = Status::same;
    std::uint64_t size_a = 0;
    std::uint64_t size_b = 0;
    /// For changed files: the share (0..1) of 1 MiB blocks identical at the same offset,
    /// out of the larger file's block count.
    std::optional<double> identical_blocks;
    /// Bytes and chunks of the file in `b` that are stored once for both versions.
    std::uint64_t shared_bytes = 0;
    std::uint64_t shared_chunks = 0;
    std::uint64_t chunks_a = 0;
    std::uint64_t chunks_b = 0;
};

struct MetricDiff {
    std::string metric; ///< JSON pointer
    std::optional<double> a;
    std::optional<double> b;
};

struct ValueDiff {
    std::string key;
    nlohmann::json a; ///< null when absent
    nlohmann::json b;
};

struct VersionDiff {
    std::vector<FileDiff> files; ///< by member name
    /// Over all files: the bytes and chunks of `b` that `a` holds too (stored once).
    std::uint64_t shared_bytes = 0;
    std::uint64_t shared_chunks = 0;
    std::uint64_t chunks_b = 0;
    std::uint64_t bytes_b = 0;
    std::vector<MetricDiff> metrics; ///< numeric metrics that differ or exist on one side
    std::vector<ValueDiff> compat;   ///< compat values that differ
};

/// Compares versions `a` and `b` (loaded with their chunk lists). Shared chunks come from
/// the lists; identical blocks are measured by reading the changed files from `store`.
/// `a` and `b` may be versions of two different models: when each has exactly one model
/// file, stored under its own name, those two are compared with each other.
/// Throws Error(corrupt) when a file cannot be read, Error(cancelled) on `stop`.
VersionDiff diff_versions(const store::Store& store, const Manifest& a, const Manifest& b,
                          const std::stop_token& stop, const ProgressFn& progress = {});

/// The chunks and bytes of `b` that are also among the chunks of `a` (each chunk of `a`
/// matches once).
std::pair<std::uint64_t, std::uint64_t> shared_chunks(const std::vector<ChunkRef>& a,
                                                      const std::vector<ChunkRef>& b);

const char* to_string(FileDiff::Status status);

/// Every numeric leaf of a JSON document as (pointer, value), sorted by pointer.
std::vector<std::pair<std::string, double>> numeric_leaves(const nlohmann::json& document);

} // namespace mv::vault
