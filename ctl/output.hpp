#pragma once
// Human output: aligned tables and relative times.

#include <string>
#include <vector>

#include "util/time.hpp"

namespace mv::ctl {

/// A plain-text table; columns are as wide as their widest cell (UTF-8 aware).
class Table {
public:
    explicit Table(std::vector<std::string> header) : m_header(std::move(header)) {}
    void add(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }
    bool empty() const { return m_rows.empty(); }
    /// The table with a header line; the last column is not padded.
    std::string render() const;

private:
    std::vector<std::string> m_header;
    std::vector<std::vector<std::string>> m_rows;
};

/// "3 min ago", "2 h ago", "just now"; "in 5 min" for the future.
std::string relative_time(SystemTime then, SystemTime now);

/// Display width of UTF-8 text (code points; good enough for names and tables).
std::size_t display_width(const std::string& text);

} // namespace mv::ctl
