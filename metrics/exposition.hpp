#pragma once
// The Prometheus text exposition format, version 0.0.4 (what node_exporter's textfile
// collector and `GET /metrics` serve). Pure: families in, text out.

#include <string>
#include <utility>
#include <vector>

namespace mv::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
    std::string suffix; ///< appended to the family's name: "", "_bucket", "_sum", "_count"
    Labels labels;
    double value = 0;
};

enum class Type { counter, gauge, histogram };

struct Family {
    std::string name; ///< modelvault_..., counters end in _total
    std::string help; ///< one line
    Type type = Type::gauge;
    std::vector<Sample> samples;
};

/// "# HELP", "# TYPE" and one line per sample for each family, in order. Label values
/// and help texts are escaped (backslash, double quote in labels, newline); whole numbers
/// print without a decimal point, infinities as +Inf/-Inf.
std::string render(const std::vector<Family>& families);

/// A sample value as the format writes it.
std::string format_value(double value);

} // namespace mv::metrics
