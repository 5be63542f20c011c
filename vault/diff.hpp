#pragma once
// Comparing two versions (`modelvaultctl diff`): which files were added, removed or
// changed, how much of each changed file is still the same (the share of identical 1 MiB
// blocks at the same offsets), and how the recorded metrics and compat values moved.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vault/archive_writer.hpp"
#include "vault/manifest.hpp"

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
    std::vector<FileDiff> files;     ///< by member name
    std::vector<MetricDiff> metrics; ///< numeric metrics that differ or exist on one side
    std::vector<ValueDiff> compat;   ///< compat values that differ
};

/// Compares versions `a` and `b`, reading both archives (only when some file changed).
/// `a` and `b` may be versions of two different models: when each has exactly one model
/// file, stored under its own name, those two are compared with each other.
/// Throws Error(corrupt) when an archive cannot be read, Error(cancelled) on `stop`.
VersionDiff diff_versions(const std::filesystem::path& archive_a, const Manifest& a,
                          const std::filesystem::path& archive_b, const Manifest& b,
                          const std::stop_token& stop, const ProgressFn& progress = {});

const char* to_string(FileDiff::Status status);

/// Every numeric leaf of a JSON document as (pointer, value), sorted by pointer.
std::vector<std::pair<std::string, double>> numeric_leaves(const nlohmann::json& document);

} // namespace mv::vault
