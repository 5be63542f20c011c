#pragma once
// The rules that decide whether a settled model gets a version, and which number
// (docs/CONFIG.md `triggers`, `checkpoints`). Pure functions: the caller reads the files and the
// vault and passes the values in, so each rule is unit-tested on its own.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/model.hpp"

namespace mv::daemon {

/// The metric value at `pointer` in `document`: a finite or NaN number; nullopt (with
/// `problem` set) when it is missing or not a number.
std::optional<double> read_metric(const nlohmann::json& document, const std::string& pointer,
                                  std::string& problem);

struct ImprovementVerdict {
    bool improved = false;
    std::string reason; ///< "metric /eval/win_rate improved 0.50 → 0.60 (+20.0%)", or why not
};

/// Does `value` beat `best` (the best version's value) in `rule.mode` by at least
/// `min_delta` (absolute) and `min_relative` (relative to |best|)? Both thresholds are
/// inclusive. NaN never improves; without a best, any finite value does (the first).
ImprovementVerdict judge_improvement(const config::ImprovementTrigger& rule,
                                     std::optional<double> best, double value);

struct StepsVerdict {
    bool crossed = false;
    std::string reason; ///< "counter /episode reached 3000 (every 1000)"
};

/// Did the counter cross a multiple of `rule.every` since `last` (the counter recorded
/// with the model's latest version; nullopt when none)? Without an earlier value the
/// counter crosses once it reaches `every`.
StepsVerdict judge_steps(const config::StepsTrigger& rule, std::optional<std::int64_t> last,
                         std::int64_t counter);

struct CompatVerdict {
    bool changed = false;
    std::string reason; ///< "compat /action_space_shape changed [4] → [5]"
};

/// Compares the compat values (pointer → value objects) of the latest version and now.
/// Only keys present in both count: a key first recorded now is no break.
CompatVerdict judge_compat(const nlohmann::json& previous, const nlohmann::json& current);

/// "{stem}.metrics.json" → "dqn.metrics.json" for model file "agents/dqn.pkl": the
/// template expanded in the model's folder ("agents/"). {name} is the file name.
/// For layout directory (`model_file` empty), {stem} and {name} are the watch's name.
std::string expand_template(const std::string& pattern, const std::string& model_file,
                            const std::string& watch_name);

/// "0.5", "0.6", "1e-05": a short, exact-enough rendering for reasons.
std::string format_number(double value);

} // namespace mv::daemon
