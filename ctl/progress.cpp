#include "ctl/progress.hpp"

#include <cstdio>
#include <unistd.h>

#include <fmt/format.h>

#include "ctl/output.hpp"
#include "util/time.hpp"

namespace mv::ctl {

bool ProgressBar::stderr_is_terminal() {
    return ::isatty(2) == 1;
}

void ProgressBar::update(const std::string& label, std::uint64_t done, std::uint64_t total) {
    if (!m_enabled) {
        return;
    }
    const auto now = system_clock().steady_now();
    if (m_drawn && now - m_last_draw < std::chrono::milliseconds(100)) {
        return;
    }
    m_last_draw = now;
    const double seconds = std::chrono::duration<double>(now - m_start).count();
    const double rate = seconds > 0.05 ? static_cast<double>(done) / seconds : 0.0;
    std::string line;
    if (total > 0) {
        constexpr int k_width = 24;
        const double fraction =
            std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
        const int filled = static_cast<int>(fraction * k_width);
        std::string bar(static_cast<std::size_t>(filled), '=');
        if (filled < k_width) {
            bar += '>';
            bar.append(static_cast<std::size_t>(k_width - filled - 1), ' ');
        }
        const std::string eta =
            rate > 0 ? format_elapsed(std::chrono::milliseconds(static_cast<long long>(
                           1000.0 * static_cast<double>(total - std::min(done, total)) / rate)))
                     : "?";
        line = fmt::format("[{}] {:3.0f}% {} / {}  {}/s  ETA {}", bar, fraction * 100.0,
                           format_bytes(done), format_bytes(total),
                           format_bytes(static_cast<unsigned long long>(rate)), eta);
    } else {
        line = fmt::format("{}  {}/s", format_bytes(done),
                           format_bytes(static_cast<unsigned long long>(rate)));
    }
    std::string shown = label;
    if (display_width(shown) > 40) {
        shown = "…" + shown.substr(shown.size() - 39);
    }
    std::fprintf(stderr, "\r\033[K%s %s", shown.c_str(), line.c_str());
    std::fflush(stderr);
    m_drawn = true;
}

void ProgressBar::finish() {
    if (m_drawn) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        m_drawn = false;
    }
}

} // namespace mv::ctl
