#include "daemon/metric_query.hpp"

#include <fmt/format.h>

namespace mv::daemon {

Result<MetricOrder> parse_order(std::string_view text) {
    MetricOrder order;
    const std::size_t colon = text.rfind(':');
    std::string_view named = text;
    if (colon != std::string_view::npos) {
        const std::string_view direction = text.substr(colon + 1);
        if (direction == "asc" || direction == "desc") {
            order.descending = direction == "desc";
            named = text.substr(0, colon);
        }
    }
    auto field = parse_field(named);
    if (!field) {
        return failure(fmt::format("--sort: {}, e.g. win_rate, win_rate:asc, /eval/loss:asc or "
                                   "params.alpha",
                                   field.error()));
    }
    order.field = std::move(*field);
    return order;
}

std::optional<double> find_number(const FieldRef& field, const nlohmann::json& params,
                                  const nlohmann::json& metrics) {
    const nlohmann::json* value = find_field(field, params, metrics);
    if (value == nullptr || !value->is_number()) {
        return std::nullopt;
    }
    return value->get<double>();
}

} // namespace mv::daemon
