#include "watcher/quiet.hpp"

#include <algorithm>
#include <sys/stat.h>

#include <fmt/format.h>

namespace mv::watcher {

namespace {

// A wait is never shorter than this, so that a file whose timestamps are a hair short of
// `settle` is not looked at again in a busy loop.
constexpr std::chrono::milliseconds k_min_wait{20};

// Saturated like the vault's file times (a file stamped in the year 3000 must compare
// equal to itself, not wrap around).
std::int64_t to_ns(const struct timespec& ts) {
    return saturating_ns(ts.tv_sec, ts.tv_nsec);
}

} // namespace

std::optional<FileState> file_state(const std::filesystem::path& root, std::string_view relative) {
    struct stat st {};
    const auto path = relative.empty() ? root : root / std::string(relative);
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return std::nullopt;
    }
    return FileState{std::string(relative),
                     static_cast<std::uint64_t>(st.st_dev),
                     static_cast<std::uint64_t>(st.st_ino),
                     static_cast<std::uint64_t>(st.st_size),
                     to_ns(st.st_mtim),
                     to_ns(st.st_ctim)};
}

std::vector<FileState> file_states(const std::filesystem::path& root,
                                   const std::vector<std::string>& files) {
    std::vector<FileState> states;
    for (const auto& file : files) {
        if (auto state = file_state(root, file)) {
            states.push_back(std::move(*state));
        }
    }
    return states;
}

QuietVerdict judge_quiet(const std::vector<FileState>& states, SystemTime now,
                         SteadyTime steady_now, config::Duration settle,
                         const std::optional<Observation>& earlier) {
    using std::chrono::milliseconds;
    if (states.empty()) {
        return {true, milliseconds(0), ""};
    }
    std::int64_t newest = 0;
    for (const auto& state : states) {
        newest = std::max({newest, state.mtime_ns, state.ctime_ns});
    }
    const std::int64_t now_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    const std::int64_t settle_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(settle).count();
    const std::int64_t age_ns = now_ns - newest;
    if (age_ns >= settle_ns) {
        return {true, milliseconds(0), ""};
    }
    // The same state seen `settle` ago is quiet too, whatever the timestamps say.
    if (earlier && earlier->states == states && steady_now - earlier->at >= settle) {
        return {true, milliseconds(0), ""};
    }
    QuietVerdict verdict;
    if (age_ns < 0) {
        // A timestamp in the future: another clock wrote it. Watch the state instead.
        verdict.wait = std::chrono::duration_cast<milliseconds>(settle);
        verdict.why = "its timestamps are in the future (another machine's clock?); "
                      "waiting for it to stay unchanged";
    } else {
        verdict.wait = std::max(k_min_wait, std::chrono::duration_cast<milliseconds>(
                                                std::chrono::nanoseconds(settle_ns - age_ns)) +
                                                k_min_wait);
        verdict.why = fmt::format("it changed {} ago",
                                  format_elapsed(std::chrono::duration_cast<milliseconds>(
                                      std::chrono::nanoseconds(age_ns))));
    }
    return verdict;
}

} // namespace mv::watcher
