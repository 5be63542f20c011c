#pragma once
// Internal to config/: the location of a value inside the config document, shown to
// users as `watches[1].retention.keep_daily` and turned into a JSON pointer to look the
// same location up in another document (a watch before defaults were merged into it).

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace mv::config::detail {

class KeyPath {
public:
    /// The document root (shown as the empty string).
    KeyPath() = default;
    /// A top-level key such as `watches`.
    explicit KeyPath(std::string_view key) { m_segments.emplace_back(std::string(key)); }

    /// This path extended by an object key.
    KeyPath operator/(std::string_view key) const;
    /// This path extended by an array index.
    KeyPath operator/(std::size_t index) const;
    /// `root` followed by this path (a watch-relative path placed under `watches[1]`).
    KeyPath under(const KeyPath& root) const;
    /// The enclosing object or array; the root stays the root.
    KeyPath parent() const;

    bool empty() const noexcept { return m_segments.empty(); }
    /// `watches[1].retention.keep_daily`; odd keys are quoted: `hooks."on backup"`.
    std::string text() const;
    /// The same location as a JSON pointer, e.g. `/watches/1/retention/keep_daily`.
    nlohmann::json::json_pointer pointer() const;

private:
    std::vector<std::variant<std::string, std::size_t>> m_segments;
};

} // namespace mv::config::detail
