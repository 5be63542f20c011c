#include "config/hook_argument.hpp"

#include <algorithm>
#include <iterator>
#include <vector>

#include <fmt/format.h>

#include "config/model.hpp"

namespace mv::config {

bool is_hook_placeholder(std::string_view name) {
    return std::find(std::begin(k_hook_placeholders), std::end(k_hook_placeholders), name) !=
           std::end(k_hook_placeholders);
}

std::optional<std::string>
for_each_piece(std::string_view text, const std::function<void(std::string_view)>& literal,
               const std::function<void(std::string_view)>& placeholder) {
    // Checked whole first, so that nothing is emitted for an argument with a problem.
    struct Piece {
        bool is_placeholder;
        std::string text;
    };
    std::vector<Piece> pieces;
    std::string plain;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
            plain += c; // "{{" or "}}"
            ++i;
            continue;
        }
        if (c == '}') {
            return std::string("\"}\" without \"{\" (write \"}}\" for a literal \"}\")");
        }
        if (c != '{') {
            plain += c;
            continue;
        }
        const std::size_t end = text.find('}', i);
        if (end == std::string_view::npos) {
            return std::string("\"{\" without \"}\" (write \"{{\" for a literal \"{\")");
        }
        const std::string_view name = text.substr(i + 1, end - i - 1);
        if (!is_hook_placeholder(name)) {
            std::string known;
            for (const char* each : k_hook_placeholders) {
                known += fmt::format("{}{{{}}}", known.empty() ? "" : " ", each);
            }
            return fmt::format("unknown placeholder {{{}}}; placeholders are {}", name, known);
        }
        if (!plain.empty()) {
            pieces.push_back({false, std::move(plain)});
            plain.clear();
        }
        pieces.push_back({true, std::string(name)});
        i = end;
    }
    if (!plain.empty()) {
        pieces.push_back({false, std::move(plain)});
    }
    for (const Piece& piece : pieces) {
        (piece.is_placeholder ? placeholder : literal)(piece.text);
    }
    return std::nullopt;
}

} // namespace mv::config
