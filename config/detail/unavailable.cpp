#include "config/detail/unavailable.hpp"

#include <fmt/format.h>

namespace mv::config::detail {

void report_unavailable(const Json& document, Checker& checker) {
    if (!document.is_object()) {
        return;
    }
    for (const UnavailableKey& row : k_unavailable_keys) {
        if (!document.contains(row.key)) {
            continue;
        }
        checker.report(KeyPath(std::string(row.key)),
                       fmt::format("not available yet in modelvault {}: {}; remove \"{}\" from "
                                   "the config (docs/CONFIG.md, \"Not available yet\")",
                                   MV_VERSION, row.what_happens, row.key));
    }
}

} // namespace mv::config::detail
