#pragma once
// A Prometheus histogram: counts of observations per upper bound, their sum and count.

#include <cstdint>
#include <string>
#include <vector>

#include "metrics/exposition.hpp"

namespace mv::metrics {

class Histogram {
public:
    /// `bounds`: the buckets' upper bounds, increasing; +Inf is added by the family.
    explicit Histogram(std::vector<double> bounds);

    void observe(double value);

    /// The family: cumulative `_bucket{le=...}` samples, `_sum` and `_count`.
    Family family(std::string name, std::string help) const;

    std::uint64_t count() const { return m_count; }
    double sum() const { return m_sum; }

private:
    std::vector<double> m_bounds;
    std::vector<std::uint64_t> m_counts; ///< per bucket, not cumulative; the last is +Inf
    std::uint64_t m_count = 0;
    double m_sum = 0;
};

} // namespace mv::metrics
