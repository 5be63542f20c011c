#include "config/detail/json_values.hpp"

#include <cmath>
#include <limits>

#include "config/duration.hpp"

namespace mv::config::detail {

std::string describe(const Json& value) {
    constexpr std::size_t k_max_length = 60;
    std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text.size() <= k_max_length) {
        return text;
    }
    // Never cut inside a UTF-8 character: back up to the start of one.
    std::size_t cut = k_max_length - 3;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    return text.substr(0, cut) + "...";
}

bool visit_members(const Json& value, const KeyPath& path, Checker& checker,
                   std::initializer_list<Member> members, std::string_view what) {
    if (!value.is_object()) {
        checker.report(path, fmt::format("expected {}, got {}", what, describe(value)));
        return false;
    }
    std::vector<std::string_view> known;
    for (const Member& member : members) {
        known.push_back(member.key);
    }
    for (const auto& [key, member_value] : value.items()) {
        const Member* found = nullptr;
        for (const Member& member : members) {
            if (member.key == key) {
                found = &member;
            }
        }
        if (found != nullptr) {
            found->handle(member_value, path / key);
            continue;
        }
        const std::string_view suggestion = suggest_key(key, known);
        if (!suggestion.empty()) {
            checker.report(path / key,
                           fmt::format("unknown key; did you mean {}?", quote(suggestion)));
        } else {
            checker.report(path / key,
                           fmt::format("unknown key; expected one of {}", fmt::join(known, ", ")));
        }
    }
    return true;
}

std::optional<std::string> non_empty(const std::string& text) {
    if (text.empty()) {
        return std::string("expected a non-empty string, got \"\"");
    }
    return std::nullopt;
}

std::optional<bool> to_bool(const Json& value, const KeyPath& path, Checker& checker) {
    if (!value.is_boolean()) {
        checker.report(path, fmt::format("expected true or false, got {}", describe(value)));
        return std::nullopt;
    }
    return value.get<bool>();
}

std::optional<std::string> to_text(const Json& value, const KeyPath& path, Checker& checker,
                                   const TextCheck& check) {
    if (!value.is_string()) {
        checker.report(path, fmt::format("expected a string, got {}", describe(value)));
        return std::nullopt;
    }
    const auto& text = value.get_ref<const std::string&>();
    if (check) {
        if (auto problem = check(text)) {
            checker.report(path, std::move(*problem));
            return std::nullopt;
        }
    }
    return text;
}

std::optional<std::vector<std::string>> to_text_list(const Json& value, const KeyPath& path,
                                                     Checker& checker, const TextCheck& check) {
    if (!value.is_array()) {
        checker.report(path, fmt::format("expected an array of strings, got {}", describe(value)));
        return std::nullopt;
    }
    std::vector<std::string> texts;
    bool ok = true;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (auto text = to_text(value[i], path / i, checker, check)) {
            texts.push_back(std::move(*text));
        } else {
            ok = false;
        }
    }
    if (!ok) {
        return std::nullopt;
    }
    return texts;
}

std::optional<std::int64_t> to_integer(const Json& value, const KeyPath& path, Checker& checker,
                                       std::int64_t min, std::int64_t max,
                                       std::string_view expected) {
    const auto reject = [&] {
        checker.report(path, fmt::format("expected {}, got {}", expected, describe(value)));
        return std::nullopt;
    };
    if (!value.is_number_integer()) {
        return reject();
    }
    if (value.is_number_unsigned() &&
        value.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
        return reject();
    }
    const auto number = value.get<std::int64_t>();
    if (number < min || number > max) {
        return reject();
    }
    return number;
}

std::optional<double> to_number(const Json& value, const KeyPath& path, Checker& checker,
                                double min, std::string_view expected) {
    if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < min) {
        checker.report(path, fmt::format("expected {}, got {}", expected, describe(value)));
        return std::nullopt;
    }
    return value.get<double>();
}

std::optional<Duration> to_duration(const Json& value, const KeyPath& path, Checker& checker,
                                    Duration min) {
    if (!value.is_string()) {
        checker.report(path, fmt::format("expected a duration string such as \"30s\", got {}",
                                         describe(value)));
        return std::nullopt;
    }
    auto duration = parse_duration(value.get_ref<const std::string&>());
    if (!duration) {
        checker.report(path, duration.error());
        return std::nullopt;
    }
    if (*duration < min) {
        checker.report(path, fmt::format("expected a duration of at least {}, got {}",
                                         format_duration(min), describe(value)));
        return std::nullopt;
    }
    return *duration;
}

std::optional<std::filesystem::path> to_path(const Json& value, const KeyPath& path,
                                             Checker& checker,
                                             const std::filesystem::path& base_dir) {
    const auto check = [](const std::string& text) -> std::optional<std::string> {
        if (text.empty()) {
            return std::string("expected a path, got \"\"");
        }
        if (text.find('\0') != std::string::npos) {
            return fmt::format("a path cannot contain a NUL character, got {}", quote(text));
        }
        // The shell expands "~", a config file does not: the daemon would make a folder
        // named "~" (and under systemd its home is not yours anyway).
        if (text.front() == '~') {
            const std::size_t slash = text.find('/');
            const std::string user = text.substr(1, slash == std::string::npos ? slash : slash - 1);
            const std::string rest = slash == std::string::npos ? "" : text.substr(slash);
            return fmt::format("\"~\" is not expanded in the config, got {}: write the absolute "
                               "path, such as \"/home/{}{}\"",
                               quote(text), user.empty() ? "alice" : user, rest);
        }
        return std::nullopt;
    };
    auto text = to_text(value, path, checker, check);
    if (!text) {
        return std::nullopt;
    }
    return resolve_path(*text, base_dir);
}

std::filesystem::path resolve_path(const std::filesystem::path& text,
                                   const std::filesystem::path& base_dir) {
    std::filesystem::path result = text.is_absolute() ? text : base_dir / text;
    result = result.lexically_normal();
    // "/srv/models/" and "/srv/models" are the same directory: compare them equal.
    if (!result.has_filename() && result != result.root_path()) {
        result = result.parent_path();
    }
    return result;
}

} // namespace mv::config::detail
