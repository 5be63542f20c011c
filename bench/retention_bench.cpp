// Prune decision time for one model with 100,000 versions over ~10 years (the issue's
// benchmark): builds the candidates once, runs retention::decide five times with a
// realistic tiered policy and prints the median in milliseconds.
//
//   mv_retention_bench [versions]     (default 100000)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "retention/policy.hpp"

namespace {

using namespace std::chrono_literals;

std::vector<mv::retention::Candidate> make_candidates(std::size_t count, mv::SystemTime newest) {
    // Evenly spread over ten years with jitter, a few tagged, one best, one current:
    // what a model saved every ~50 minutes for a decade would look like.
    std::mt19937_64 random(42);
    const auto span = std::chrono::duration_cast<mv::SystemTime::duration>(24h * 3652);
    const auto step = span / static_cast<long>(count);
    std::uniform_int_distribution<long> jitter(0, step.count() / 2);
    std::vector<mv::retention::Candidate> candidates;
    candidates.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        mv::retention::Candidate candidate;
        candidate.id = "v" + std::to_string(i);
        candidate.time =
            newest - step * static_cast<long>(i) - mv::SystemTime::duration(jitter(random));
        if (i % 997 == 0) {
            candidate.tags.push_back("pinned");
        }
        candidate.best = i == count / 3;
        candidate.current = i == count / 2;
        candidates.push_back(std::move(candidate));
    }
    // Unsorted input, as a directory listing would give it.
    std::shuffle(candidates.begin(), candidates.end(), random);
    return candidates;
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t count = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100'000;
    const mv::SystemTime newest{std::chrono::sys_days{std::chrono::year{2026} / 11 / 22}};
    const auto candidates = make_candidates(count, newest);

    mv::config::RetentionPolicy policy;
    policy.keep_last = 10;
    policy.keep_hourly = 24;
    policy.keep_daily = 14;
    policy.keep_weekly = 8;
    policy.keep_monthly = 24;
    policy.keep_yearly = 10;
    policy.keep_within = std::chrono::hours(48);
    policy.keep_within_daily = std::chrono::hours(24 * 30);
    policy.keep_tags = {"best", "pinned", "baseline"};
    policy.max_versions = 150;

    std::vector<double> runs;
    std::size_t kept = 0;
    for (int run = 0; run < 5; ++run) {
        auto input = candidates; // decide() takes its input by value; copy outside the clock
        const auto start = std::chrono::steady_clock::now();
        const auto decisions = mv::retention::decide(std::move(input), policy, newest + 1h);
        const auto stop = std::chrono::steady_clock::now();
        runs.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
        kept = static_cast<std::size_t>(
            std::count_if(decisions.begin(), decisions.end(), [](const auto& decision) {
                return decision.verdict == mv::retention::Verdict::keep;
            }));
    }
    std::sort(runs.begin(), runs.end());
    std::printf("retention decide: %zu versions, %zu kept, median of 5 runs %.1f ms "
                "(min %.1f, max %.1f)\n",
                count, kept, runs[2], runs.front(), runs.back());
    return 0;
}
