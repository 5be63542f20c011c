#include "config/detail/text_checks.hpp"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "config/detail/quote.hpp"

namespace mv::config::detail {

namespace {

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_name_char(char c) {
    return is_alnum(c) || c == '.' || c == '_' || c == '-';
}

bool is_name(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), is_name_char);
}

// The portable user and group name set that useradd and systemd accept: no leading
// "-" (it would read as an option), at most 32 characters, an optional final "$"
// (Samba machine accounts).
bool is_account_name(std::string_view text) {
    if (!text.empty() && text.back() == '$') {
        text.remove_suffix(1);
    }
    return !text.empty() && text.size() <= 32 && text.front() != '-' && text.front() != '.' &&
           std::all_of(text.begin(), text.end(), is_name_char);
}

std::string expected(std::string_view what, const std::string& text, std::string_view why = {}) {
    if (why.empty()) {
        return fmt::format("expected {}, got {}", what, quote(text));
    }
    return fmt::format("expected {}, got {} ({})", what, quote(text), why);
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

} // namespace

std::optional<std::string> check_watch_name(const std::string& text) {
    if (!is_name(text) || text == "." || text == "..") {
        return expected("a name made of A-Z a-z 0-9 . _ - (not \".\" or \"..\")", text);
    }
    return std::nullopt;
}

std::optional<std::string> check_tag_name(const std::string& text) {
    if (!is_name(text)) {
        return expected("a tag name made of A-Z a-z 0-9 . _ -", text);
    }
    return std::nullopt;
}

std::optional<std::string> check_principal(const std::string& text) {
    const bool is_group = !text.empty() && text.front() == '@';
    if (!is_account_name(is_group ? std::string_view(text).substr(1) : std::string_view(text))) {
        return expected("a user name or \"@group\" (letters, digits, . _ -, at most 32)", text);
    }
    return std::nullopt;
}

std::optional<std::string> check_user_name(const std::string& text) {
    if (!is_account_name(text)) {
        return expected("a user name (letters, digits, . _ -, at most 32)", text);
    }
    return std::nullopt;
}

std::optional<std::string> check_group_name(const std::string& text) {
    if (!text.empty() && !is_account_name(text)) {
        return expected("a group name (letters, digits, . _ -, at most 32)", text);
    }
    return std::nullopt;
}

std::optional<std::string> check_glob(const std::string& text) {
    if (text.empty()) {
        return expected("a non-empty glob such as \"*.pt\"", text);
    }
    // The watcher matches a glob with "/" against the path relative to the watch,
    // which never starts with "/": such a glob could never match.
    if (text.front() == '/') {
        return expected("a glob such as \"*.pt\" or \"runs/*.pt\"", text,
                        "globs are relative to the watched directory and cannot start with "
                        "\"/\"");
    }
    return std::nullopt;
}

namespace {

bool has_glob_characters(std::string_view text) {
    return text.find_first_of("*?[") != std::string_view::npos;
}

// Components that open_beneath() refuses (empty, ".", ".."): a name with one could never
// be read, so it is refused here rather than skipped at every backup.
std::optional<std::string> bad_component(std::string_view text) {
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find('/', start), text.size());
        const std::string_view component = text.substr(start, end - start);
        if (component.empty()) {
            return end == text.size() ? std::string("it must not end with \"/\"")
                                      : std::string("it must not contain \"//\"");
        }
        if (component == ".") {
            return std::string("it must not contain \".\" components");
        }
        if (component == "..") {
            return std::string("it must not contain \"..\" components");
        }
        start = end + 1;
    }
    return std::nullopt;
}

std::optional<std::string> check_file_template(const std::string& text, std::string_view what,
                                               bool globs) {
    if (text.empty()) {
        return expected(what, text);
    }
    if (text.front() == '/') {
        return expected(what, text, "it must not start with \"/\"");
    }
    if (auto why = bad_component(text)) {
        return expected(what, text, *why);
    }
    if (!globs && has_glob_characters(text)) {
        return expected(what, text,
                        "it names one file: *, ? and [ are not allowed here (sidecars may be "
                        "globs)");
    }
    if (globs && text.find("**") != std::string::npos) {
        return expected(what, text,
                        "\"**\" (any depth) is not supported: * matches within one folder, "
                        "write one pattern per folder level");
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '}') {
            return expected(what, text, "\"}\" without \"{\"");
        }
        if (text[i] != '{') {
            continue;
        }
        const std::size_t end = text.find('}', i);
        if (end == std::string::npos) {
            return expected(what, text, "\"{\" without \"}\"");
        }
        const std::string_view placeholder = std::string_view(text).substr(i, end - i + 1);
        if (placeholder != "{stem}" && placeholder != "{name}") {
            return expected(
                what, text,
                fmt::format("unknown placeholder {}; use {{stem}} or {{name}}", placeholder));
        }
        i = end;
    }
    return std::nullopt;
}

} // namespace

std::optional<std::string> check_template(const std::string& text) {
    return check_file_template(text, "a relative file name template such as \"{stem}.json\"",
                               false);
}

std::optional<std::string> check_sidecar_template(const std::string& text) {
    return check_file_template(
        text, "a relative file name template or glob such as \"{stem}.json\" or \"logs/*.log\"",
        true);
}

std::optional<std::string> check_relative_file(const std::string& text) {
    constexpr std::string_view k_what = "a file name relative to the model such as \"config.json\"";
    if (text.empty()) {
        return expected(k_what, text);
    }
    if (text.front() == '/') {
        return expected(k_what, text, "it must not start with \"/\"");
    }
    if (auto why = bad_component(text)) {
        return expected(k_what, text, *why);
    }
    return std::nullopt;
}

std::optional<std::string> check_json_pointer(const std::string& text) {
    constexpr std::string_view k_what = "a JSON pointer such as \"/eval/win_rate\"";
    if (!text.empty() && text.front() != '/') {
        return expected(k_what, text, "it must be empty or start with \"/\"");
    }
    try {
        nlohmann::json::json_pointer pointer(text);
    } catch (const nlohmann::json::exception&) {
        return expected(k_what, text, "\"~\" must be followed by 0 or 1");
    }
    return std::nullopt;
}

std::optional<std::string> check_time_of_day(const std::string& text) {
    const bool shape = text.size() == 5 && is_digit(text[0]) && is_digit(text[1]) &&
                       text[2] == ':' && is_digit(text[3]) && is_digit(text[4]);
    if (!shape || parse_time_of_day(text).hour > 23 || parse_time_of_day(text).minute > 59) {
        return expected("a time of day \"HH:MM\" from \"00:00\" to \"23:59\"", text);
    }
    return std::nullopt;
}

TimeOfDay parse_time_of_day(const std::string& text) {
    return {(text[0] - '0') * 10 + (text[1] - '0'), (text[3] - '0') * 10 + (text[4] - '0')};
}

} // namespace mv::config::detail
