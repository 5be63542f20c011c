#include "config/detail/quote.hpp"

#include <nlohmann/json.hpp>

namespace mv::config::detail {

std::string quote(std::string_view text) {
    return nlohmann::json(std::string(text))
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace mv::config::detail
