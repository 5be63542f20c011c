#include "daemon/metric_query.hpp"

#include <array>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace mv::daemon {

namespace {

using nlohmann::json;

std::string_view trim(std::string_view text) {
    while (!text.empty() && text.front() == ' ') {
        text.remove_prefix(1);
    }
    while (!text.empty() && text.back() == ' ') {
        text.remove_suffix(1);
    }
    return text;
}

const json* find_key(const json& node, std::string_view key) {
    if (node.is_object()) {
        if (const auto it = node.find(std::string(key)); it != node.end() && it->is_number()) {
            return &*it;
        }
        for (const auto& [name, child] : node.items()) {
            if (const json* found = find_key(child, key)) {
                return found;
            }
        }
    } else if (node.is_array()) {
        for (const auto& child : node) {
            if (const json* found = find_key(child, key)) {
                return found;
            }
        }
    }
    return nullptr;
}

} // namespace

std::optional<double> find_metric(const json& metrics, std::string_view metric) {
    const json* value = nullptr;
    if (metric.starts_with('/')) {
        try {
            value = &metrics.at(json::json_pointer(std::string(metric)));
        } catch (const json::exception&) {
            return std::nullopt;
        }
    } else {
        value = find_key(metrics, metric);
    }
    if (value == nullptr || !value->is_number()) {
        return std::nullopt;
    }
    return value->get<double>();
}

bool MetricCondition::matches(const json& metrics) const {
    const auto found = find_metric(metrics, metric);
    if (!found || std::isnan(*found)) {
        return false;
    }
    switch (op) {
    case Op::less:
        return *found < value;
    case Op::less_equal:
        return *found <= value;
    case Op::greater:
        return *found > value;
    case Op::greater_equal:
        return *found >= value;
    case Op::equal:
        return *found == value;
    case Op::not_equal:
        return *found != value;
    }
    return false;
}

Result<MetricCondition> parse_condition(std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, MetricCondition::Op>, 6> k_ops = {{
        {"<=", MetricCondition::Op::less_equal},
        {">=", MetricCondition::Op::greater_equal},
        {"==", MetricCondition::Op::equal},
        {"!=", MetricCondition::Op::not_equal},
        {"<", MetricCondition::Op::less},
        {">", MetricCondition::Op::greater},
    }};
    const auto invalid = [&] {
        return failure(fmt::format("--where \"{}\": expected METRIC OP NUMBER, e.g. "
                                   "'win_rate>=0.6' or '/eval/loss<0.2' (OP: < <= > >= == !=)",
                                   text));
    };
    for (const auto& [symbol, op] : k_ops) {
        const std::size_t at = text.find(symbol);
        if (at == std::string_view::npos) {
            continue;
        }
        MetricCondition condition;
        condition.metric = std::string(trim(text.substr(0, at)));
        condition.op = op;
        const std::string_view number = trim(text.substr(at + symbol.size()));
        const auto [end, ec] =
            std::from_chars(number.data(), number.data() + number.size(), condition.value);
        // "win_rate=>0.4" must not read as the metric "win_rate=" compared with > 0.4.
        const bool stray_operator = condition.metric.find_first_of("<>=!") != std::string::npos;
        if (condition.metric.empty() || stray_operator || ec != std::errc{} ||
            end != number.data() + number.size()) {
            return invalid();
        }
        return condition;
    }
    return invalid();
}

Result<MetricOrder> parse_order(std::string_view text) {
    MetricOrder order;
    const std::size_t colon = text.rfind(':');
    std::string_view metric = text;
    if (colon != std::string_view::npos) {
        const std::string_view direction = text.substr(colon + 1);
        if (direction == "asc" || direction == "desc") {
            order.descending = direction == "desc";
            metric = text.substr(0, colon);
        }
    }
    order.metric = std::string(trim(metric));
    if (order.metric.empty()) {
        return failure("--sort needs a metric, e.g. win_rate, win_rate:asc or /eval/loss:asc");
    }
    return order;
}

} // namespace mv::daemon
