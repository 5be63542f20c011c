#pragma once
// Internal to config/: collects every problem found while reading a document, so that
// one run reports them all instead of stopping at the first.

#include <string>
#include <string_view>
#include <vector>

#include "config/detail/key_path.hpp"

namespace mv::config::detail {

/// One problem, located relative to the document that was checked.
struct Finding {
    KeyPath path;        ///< the key the message is about
    KeyPath origin;      ///< the value whose author must fix it (path, or its parent)
    std::string message; ///< `expected a non-negative integer, got "seven"`
};

class Checker {
public:
    /// A problem with the value at `path`.
    void report(const KeyPath& path, std::string message);
    /// A required key that is absent: whoever wrote the enclosing object must add it.
    void report_missing(const KeyPath& path, std::string message);

    const std::vector<Finding>& findings() const noexcept { return m_findings; }
    bool ok() const noexcept { return m_findings.empty(); }

private:
    std::vector<Finding> m_findings;
};

/// The member of `known` closest to `key` when within edit distance 2 (ignoring case,
/// a swap of two neighbours counts once) and closer than `key` is long; else empty.
std::string_view suggest_key(std::string_view key, const std::vector<std::string_view>& known);

} // namespace mv::config::detail
