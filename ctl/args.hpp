#pragma once
// A small command-line parser: options declared per command, `--name value`,
// `--name=value`, repeatable options, flags, `--` to end options.

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace mv::ctl {

struct OptionSpec {
    std::string name; ///< without dashes, e.g. "to"
    bool takes_value = false;
    bool repeatable = false;
};

/// Thrown for a usage error; main prints it with a hint and exits 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ParsedArgs {
public:
    bool has(const std::string& name) const { return m_options.count(name) > 0; }
    std::optional<std::string> value(const std::string& name) const;
    std::vector<std::string> values(const std::string& name) const;
    const std::vector<std::string>& positional() const { return m_positional; }

private:
    friend ParsedArgs parse_args(const std::vector<std::string>&, const std::vector<OptionSpec>&,
                                 const std::string&);
    std::map<std::string, std::vector<std::string>> m_options;
    std::vector<std::string> m_positional;
};

/// Parses `args` against `specs`; `context` names the command in error messages.
/// Throws UsageError for unknown options, missing values and repeated single options.
ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                      const std::string& context);

} // namespace mv::ctl
