#pragma once
// The conditions of `list --where` and the keys of `stats --by` (docs/CLI.md): a field of
// a version's parameters or metrics, compared with a number, a string or true/false.
//   params.alpha==0.1   metrics.eval.win_rate>=0.5   params.algorithm!=dqn
//   params./lr/decay<0.9 (a JSON pointer)   win_rate>=0.6 (a metric found anywhere)
// Pure: parsing and matching over JSON values, nothing of the vault.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "util/expected.hpp"

namespace mv::daemon {

/// Where a field is looked up.
struct FieldRef {
    enum class Source {
        params,    ///< params.a.b or params./a/b
        metrics,   ///< metrics.a.b or metrics./a/b
        any_metric ///< /a/b (a pointer into the metrics) or a bare key found anywhere in them
    };
    Source source = Source::any_metric;
    std::string path; ///< dotted keys, a JSON pointer (starts with '/') or a bare key
    std::string text; ///< as written: the column title
};

/// Parses "params.KEY[.KEY…]", "metrics.KEY[.KEY…]" (a JSON pointer may follow the dot),
/// "/POINTER" or a bare metric name. Fails, saying the accepted forms, on an empty path.
Result<FieldRef> parse_field(std::string_view text);

/// The value `field` names among a version's `params` and `metrics`, or nullptr. A dotted
/// path walks objects by key and arrays by index; a bare key is the first key of that name
/// (depth first) whose value is a number, string or boolean.
const nlohmann::json* find_field(const FieldRef& field, const nlohmann::json& params,
                                 const nlohmann::json& metrics);

struct Condition {
    enum class Op { less, less_equal, greater, greater_equal, equal, not_equal };
    FieldRef field;
    Op op = Op::equal;
    /// A number, a string or a boolean. An unquoted value that reads as a number is a
    /// number; quotes ('dqn' or "dqn") make a string of anything.
    nlohmann::json value;
    std::string written; ///< the value as written (an unquoted number against a string)

    /// True when the field is there and satisfies the comparison: numbers compare as
    /// numbers (NaN never matches); == and != compare strings and booleans as they are and
    /// an unquoted number with a string field as text; any other pair of types is unequal.
    /// A version without the field matches no condition, != included.
    bool matches(const nlohmann::json& params, const nlohmann::json& metrics) const;
};

/// Parses "FIELD OP VALUE", OP one of < <= > >= == != (spaces around it optional).
/// < <= > >= need a number. The error shows the expression and examples of each form.
Result<Condition> parse_condition(std::string_view text);

} // namespace mv::daemon
