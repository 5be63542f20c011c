#include "metrics/exposition.hpp"

#include <cmath>

#include <fmt/format.h>

namespace mv::metrics {

namespace {

const char* type_name(Type type) {
    switch (type) {
    case Type::counter:
        return "counter";
    case Type::gauge:
        return "gauge";
    case Type::histogram:
        return "histogram";
    }
    return "untyped";
}

std::string escape(const std::string& text, bool quotes) {
    std::string escaped;
    for (const char c : text) {
        if (c == '\\') {
            escaped += "\\\\";
        } else if (c == '\n') {
            escaped += "\\n";
        } else if (c == '"' && quotes) {
            escaped += "\\\"";
        } else {
            escaped += c;
        }
    }
    return escaped;
}

} // namespace

std::string format_value(double value) {
    if (std::isnan(value)) {
        return "NaN";
    }
    if (std::isinf(value)) {
        return value > 0 ? "+Inf" : "-Inf";
    }
    // Counters of bytes exceed 2^53 only after 9 PB: whole numbers print exactly.
    if (value == std::floor(value) && std::fabs(value) < 9.0e15) {
        return fmt::format("{}", static_cast<long long>(value));
    }
    return fmt::format("{}", value);
}

std::string render(const std::vector<Family>& families) {
    std::string text;
    for (const Family& family : families) {
        text += fmt::format("# HELP {} {}\n# TYPE {} {}\n", family.name, escape(family.help, false),
                            family.name, type_name(family.type));
        for (const Sample& sample : family.samples) {
            text += family.name + sample.suffix;
            if (!sample.labels.empty()) {
                text += '{';
                for (std::size_t i = 0; i < sample.labels.size(); ++i) {
                    text += fmt::format("{}{}=\"{}\"", i == 0 ? "" : ",", sample.labels[i].first,
                                        escape(sample.labels[i].second, true));
                }
                text += '}';
            }
            text += ' ' + format_value(sample.value) + '\n';
        }
    }
    return text;
}

} // namespace mv::metrics
