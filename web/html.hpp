#pragma once
// The building blocks of the dashboard's and the report's HTML (docs/HTTP.md,
// "Dashboard"): escaping and the page around a body. Pages are whole documents
// with their style inline and no scripts: they work offline and from a file.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mv::web {

/// `text` with & < > " ' written as entities, safe in element text and quoted attributes.
std::string escape_html(std::string_view text);

/// A JSON value of a command's result as escaped text: a string as itself, null as "—",
/// anything else as its JSON.
std::string value_html(const nlohmann::json& value);

/// A complete HTML5 document titled `title` around `body`, with the dashboard's style.
std::string html_page(std::string_view title, std::string_view body);

} // namespace mv::web
