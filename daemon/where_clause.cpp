#include "daemon/where_clause.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace mv::daemon {

namespace {

using nlohmann::json;

constexpr std::string_view k_forms = "'params.alpha==0.1', 'metrics.win_rate>=0.5', "
                                     "'params.algorithm==dqn' or 'win_rate>=0.6'";

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

bool is_scalar(const json& value) {
    return value.is_number() || value.is_string() || value.is_boolean();
}

// The first key named `key` whose value is a scalar, depth first.
const json* find_key(const json& node, const std::string& key) {
    if (node.is_object()) {
        if (const auto it = node.find(key); it != node.end() && is_scalar(*it)) {
            return &*it;
        }
    }
    if (node.is_object() || node.is_array()) {
        for (const auto& child : node) {
            if (const json* found = find_key(child, key)) {
                return found;
            }
        }
    }
    return nullptr;
}

const json* find_pointer(const json& document, const std::string& pointer) {
    try {
        return &document.at(json::json_pointer(pointer));
    } catch (const json::exception&) {
        return nullptr;
    }
}

// params.a.b: object keys, and array indexes where the node is an array.
const json* find_dotted(const json& document, std::string_view path) {
    const json* node = &document;
    while (node != nullptr) {
        const std::size_t dot = path.find('.');
        const std::string key(path.substr(0, dot));
        if (node->is_object()) {
            const auto it = node->find(key);
            node = it == node->end() ? nullptr : &*it;
        } else if (node->is_array()) {
            std::size_t index = 0;
            const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
            const bool valid = ec == std::errc{} && end == key.data() + key.size();
            node = valid && index < node->size() ? &(*node)[index] : nullptr;
        } else {
            node = nullptr;
        }
        if (dot == std::string_view::npos) {
            return node;
        }
        path.remove_prefix(dot + 1);
    }
    return nullptr;
}

std::optional<double> read_number(std::string_view text) {
    double number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return number;
}

// The literal after the operator: quoted text, a number, true/false, or bare text.
json read_value(std::string_view text) {
    if (text.size() >= 2 && (text.front() == '\'' || text.front() == '"') &&
        text.back() == text.front()) {
        return std::string(text.substr(1, text.size() - 2));
    }
    if (const auto number = read_number(text)) {
        return *number;
    }
    if (text == "true" || text == "false") {
        return text == "true";
    }
    return std::string(text);
}

struct OpToken {
    Condition::Op op;
    std::size_t at;
    std::size_t size;
};

// The first operator in `text`, or nullopt when there is none or it is malformed
// ("=", "=>", "!<" …).
std::optional<OpToken> find_operator(std::string_view text) {
    const std::size_t at = text.find_first_of("<>=!");
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    const char first = text[at];
    const bool equals_next = at + 1 < text.size() && text[at + 1] == '=';
    switch (first) {
    case '<':
        return OpToken{equals_next ? Condition::Op::less_equal : Condition::Op::less, at,
                       equals_next ? 2u : 1u};
    case '>':
        return OpToken{equals_next ? Condition::Op::greater_equal : Condition::Op::greater, at,
                       equals_next ? 2u : 1u};
    case '=':
        return equals_next ? std::optional(OpToken{Condition::Op::equal, at, 2}) : std::nullopt;
    default:
        return equals_next ? std::optional(OpToken{Condition::Op::not_equal, at, 2}) : std::nullopt;
    }
}

bool equal_values(const json& field, const json& value, const std::string& written) {
    if (value.is_number()) {
        if (field.is_number()) {
            return field.get<double>() == value.get<double>();
        }
        return field.is_string() && field.get<std::string>() == written;
    }
    if (value.is_string()) {
        return field.is_string() && field.get<std::string>() == value.get<std::string>();
    }
    return field.is_boolean() && field.get<bool>() == value.get<bool>();
}

} // namespace

Result<FieldRef> parse_field(std::string_view text) {
    FieldRef field;
    field.text = std::string(trim(text));
    std::string_view path = field.text;
    for (const auto& [prefix, source] :
         {std::pair{std::string_view("params."), FieldRef::Source::params},
          std::pair{std::string_view("metrics."), FieldRef::Source::metrics}}) {
        if (path.starts_with(prefix)) {
            field.source = source;
            path.remove_prefix(prefix.size());
            break;
        }
    }
    field.path = std::string(path);
    const bool empty_key = field.source != FieldRef::Source::any_metric &&
                           !field.path.starts_with('/') &&
                           (field.path.empty() || field.path.front() == '.' ||
                            field.path.back() == '.' || field.path.find("..") != std::string::npos);
    if (field.path.empty() || empty_key) {
        return failure(fmt::format("\"{}\" names no field: write params.KEY, metrics.KEY (KEY "
                                   "may be a.b.c or a JSON pointer /a/b), /POINTER or a metric "
                                   "name",
                                   field.text));
    }
    return field;
}

const json* find_field(const FieldRef& field, const json& params, const json& metrics) {
    const json& document = field.source == FieldRef::Source::params ? params : metrics;
    if (field.path.starts_with('/')) {
        return find_pointer(document, field.path);
    }
    if (field.source == FieldRef::Source::any_metric) {
        return find_key(metrics, field.path);
    }
    return find_dotted(document, field.path);
}

bool Condition::matches(const json& params, const json& metrics) const {
    const json* found = find_field(field, params, metrics);
    if (found == nullptr) {
        return false;
    }
    if (op == Op::equal || op == Op::not_equal) {
        const bool equal = equal_values(*found, value, written);
        return op == Op::equal ? equal : !equal;
    }
    if (!found->is_number() || std::isnan(found->get<double>())) {
        return false;
    }
    const double x = found->get<double>();
    const double y = value.get<double>();
    switch (op) {
    case Op::less:
        return x < y;
    case Op::less_equal:
        return x <= y;
    case Op::greater:
        return x > y;
    default:
        return x >= y;
    }
}

Result<Condition> parse_condition(std::string_view text) {
    const auto invalid = [&](std::string_view why) {
        return failure(fmt::format("--where \"{}\": {}; write FIELD OP VALUE, e.g. {} (OP: < <= "
                                   "> >= == !=)",
                                   text, why, k_forms));
    };
    const auto token = find_operator(text);
    if (!token) {
        return invalid("no comparison (use == for equality, not =)");
    }
    auto field = parse_field(text.substr(0, token->at));
    if (!field) {
        return invalid(field.error());
    }
    const std::string_view written = trim(text.substr(token->at + token->size));
    if (written.empty()) {
        return invalid("no value after the comparison");
    }
    if (written.find_first_of("<>=!") == 0) {
        return invalid("two comparisons in a row");
    }
    Condition condition{std::move(*field), token->op, read_value(written), std::string(written)};
    const bool ordering =
        condition.op != Condition::Op::equal && condition.op != Condition::Op::not_equal;
    if (ordering && !condition.value.is_number()) {
        return invalid(fmt::format("\"{}\" is not a number; strings and true/false compare "
                                   "with == and != only",
                                   written));
    }
    return condition;
}

} // namespace mv::daemon
