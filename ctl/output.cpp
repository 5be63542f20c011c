#include "ctl/output.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace mv::ctl {

std::size_t display_width(const std::string& text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
    }));
}

std::string Table::render() const {
    std::vector<std::size_t> widths(m_header.size(), 0);
    const auto measure = [&](const std::vector<std::string>& row) {
        for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
            widths[i] = std::max(widths[i], display_width(row[i]));
        }
    };
    measure(m_header);
    for (const auto& row : m_rows) {
        measure(row);
    }
    std::string out;
    const auto emit = [&](const std::vector<std::string>& row) {
        std::string line;
        for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) {
                line.append(widths[i] - display_width(row[i]) + 2, ' ');
            }
        }
        while (!line.empty() && line.back() == ' ') {
            line.pop_back();
        }
        out += line + "\n";
    };
    emit(m_header);
    for (const auto& row : m_rows) {
        emit(row);
    }
    return out;
}

std::string relative_time(SystemTime then, SystemTime now) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - then).count();
    const long long magnitude = seconds < 0 ? -seconds : seconds;
    std::string amount;
    if (magnitude < 10) {
        return "just now";
    }
    if (magnitude < 90) {
        amount = fmt::format("{} s", magnitude);
    } else if (magnitude < 90 * 60) {
        amount = fmt::format("{} min", (magnitude + 30) / 60);
    } else if (magnitude < 36 * 3600) {
        amount = fmt::format("{} h", (magnitude + 1800) / 3600);
    } else {
        amount = fmt::format("{} d", (magnitude + 43200) / 86400);
    }
    return seconds < 0 ? "in " + amount : amount + " ago";
}

} // namespace mv::ctl
