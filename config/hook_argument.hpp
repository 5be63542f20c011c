#pragma once
// The grammar of a hook argument (docs/NOTIFICATIONS.md, "Hooks"): text with
// placeholders {name} from k_hook_placeholders; "{{" and "}}" stand for "{" and "}".
// config/ checks it, notify/ expands it; both walk it with for_each_piece().

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace mv::config {

/// Calls `literal` for each run of plain text (escapes already undone) and `placeholder`
/// for each {name}, in order. Returns the problem ("unknown placeholder {modle}; ...")
/// instead when `text` does not follow the grammar; nothing is called after a problem.
std::optional<std::string> for_each_piece(std::string_view text,
                                          const std::function<void(std::string_view)>& literal,
                                          const std::function<void(std::string_view)>& placeholder);

/// True when `name` is one of k_hook_placeholders.
bool is_hook_placeholder(std::string_view name);

} // namespace mv::config
