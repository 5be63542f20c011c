#include "ctl/args.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace mv::ctl {

std::optional<std::string> ParsedArgs::value(const std::string& name) const {
    const auto it = m_options.find(name);
    if (it == m_options.end() || it->second.empty()) {
        return std::nullopt;
    }
    return it->second.back();
}

std::vector<std::string> ParsedArgs::values(const std::string& name) const {
    const auto it = m_options.find(name);
    return it == m_options.end() ? std::vector<std::string>{} : it->second;
}

ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                      const std::string& context) {
    ParsedArgs parsed;
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (options_done || arg == "-" || !arg.starts_with("-")) {
            parsed.m_positional.push_back(arg);
            continue;
        }
        if (arg == "--") {
            options_done = true;
            continue;
        }
        std::string name = arg.substr(arg.starts_with("--") ? 2 : 1);
        std::optional<std::string> inline_value;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name.resize(eq);
        }
        const auto spec = std::find_if(specs.begin(), specs.end(),
                                       [&](const OptionSpec& s) { return s.name == name; });
        if (spec == specs.end()) {
            throw UsageError(fmt::format("{}: unknown option {}", context, arg));
        }
        std::string value;
        if (spec->takes_value) {
            if (inline_value) {
                value = *inline_value;
            } else if (i + 1 < args.size()) {
                value = args[++i];
            } else {
                throw UsageError(fmt::format("{}: --{} needs a value", context, name));
            }
        } else if (inline_value) {
            throw UsageError(fmt::format("{}: --{} takes no value", context, name));
        }
        auto& slot = parsed.m_options[name];
        if (!slot.empty() && !spec->repeatable) {
            throw UsageError(fmt::format("{}: --{} given twice", context, name));
        }
        slot.push_back(value);
    }
    return parsed;
}

} // namespace mv::ctl
