#include "tests/unit/config/problems.hpp"

#include <stdexcept>

namespace mv::config::test {

std::vector<std::string> problems_of(std::string_view text) {
    std::vector<std::string> lines;
    try {
        parse_config(text, k_base_dir);
    } catch (const ConfigError& error) {
        for (const Problem& problem : error.problems()) {
            lines.push_back(problem.to_string());
        }
    }
    return lines;
}

Config parse_ok(std::string_view text) {
    try {
        return parse_config(text, k_base_dir);
    } catch (const ConfigError& error) {
        throw std::runtime_error(std::string("unexpected problems:\n") + error.what());
    }
}

} // namespace mv::config::test
