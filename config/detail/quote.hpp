#pragma once
// Internal to config/: how a config value is shown inside an error message.

#include <string>
#include <string_view>

namespace mv::config::detail {

/// `text` as a JSON string literal ("seven" → "\"seven\""), control characters
/// escaped and invalid UTF-8 replaced, so that a message is always one printable line.
std::string quote(std::string_view text);

} // namespace mv::config::detail
