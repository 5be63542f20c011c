#include "metrics/histogram.hpp"

#include <algorithm>
#include <limits>

namespace mv::metrics {

Histogram::Histogram(std::vector<double> bounds)
    : m_bounds(std::move(bounds)), m_counts(m_bounds.size() + 1, 0) {}

void Histogram::observe(double value) {
    // The first bucket whose upper bound is >= value ("le" is inclusive).
    const auto bucket = std::lower_bound(m_bounds.begin(), m_bounds.end(), value);
    ++m_counts[static_cast<std::size_t>(bucket - m_bounds.begin())];
    ++m_count;
    m_sum += value;
}

Family Histogram::family(std::string name, std::string help) const {
    Family family{std::move(name), std::move(help), Type::histogram, {}};
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= m_bounds.size(); ++i) {
        cumulative += m_counts[i];
        const double bound =
            i < m_bounds.size() ? m_bounds[i] : std::numeric_limits<double>::infinity();
        family.samples.push_back(
            {"_bucket", {{"le", format_value(bound)}}, static_cast<double>(cumulative)});
    }
    family.samples.push_back({"_sum", {}, m_sum});
    family.samples.push_back({"_count", {}, static_cast<double>(m_count)});
    return family;
}

} // namespace mv::metrics
