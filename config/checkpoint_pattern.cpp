#include "config/checkpoint_pattern.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace mv::config {

namespace {

bool is_placeholder_name(std::string_view name) {
    return !name.empty() &&
           (std::isalpha(static_cast<unsigned char>(name.front())) != 0 || name.front() == '_') &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
           });
}

} // namespace

Result<std::vector<PatternPart>> parse_checkpoint_pattern(std::string_view text) {
    const auto bad = [&](std::string_view why) {
        return failure(fmt::format(
            "expected a checkpoint name with placeholders, such as \"checkpoint-{{step}}\" or "
            "\"epoch={{epoch}}-step={{step}}.ckpt\", got \"{}\": {}",
            text, why));
    };
    std::vector<PatternPart> parts;
    bool has_placeholder = false;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == '/') {
            return bad("a pattern names files or folders in one folder, without '/'");
        }
        if (text[i] == '}') {
            return bad("'}' without '{'");
        }
        if (text[i] != '{') {
            if (parts.empty() || parts.back().placeholder) {
                parts.push_back({"", false});
            }
            parts.back().text += text[i++];
            continue;
        }
        const std::size_t close = text.find('}', i);
        if (close == std::string_view::npos) {
            return bad("'{' without '}'");
        }
        std::string_view inside = text.substr(i + 1, close - i - 1);
        // A Python format spec ({epoch:02d}, {val_loss:.2f}) is allowed and ignored: the
        // pattern can be copied from the training script.
        inside = inside.substr(0, inside.find(':'));
        if (!is_placeholder_name(inside)) {
            return bad(
                fmt::format("{{{}}} is not a placeholder: use letters, digits and _", inside));
        }
        if (!parts.empty() && parts.back().placeholder) {
            return bad("two placeholders in a row cannot be told apart: put text between them");
        }
        parts.push_back({std::string(inside), true});
        has_placeholder = true;
        i = close + 1;
    }
    if (!has_placeholder) {
        return bad("it has no placeholder, so it names one file: no series");
    }
    return parts;
}

} // namespace mv::config
