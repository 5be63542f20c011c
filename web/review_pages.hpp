#pragma once
// The dashboard's review pages (docs/HTTP.md, "Dashboard"): what the next prune of a model
// would remove, the diff of two versions and the audit log, rendered from the results of
// the control commands `prune` (dry run), `diff` and `audit`. Pure, as web/pages.hpp.

#include <string>

#include <nlohmann/json.hpp>

namespace mv::web {

/// The model page's form that opens the diff of two of its versions: two selects (the
/// older side preset to the second newest, the newer to the newest) and a button, a plain
/// GET of /diff with no script. `rows` are `list`'s rows of `model`, newest first; empty
/// when the model has fewer than two versions.
std::string diff_form(const std::string& model, const nlohmann::json& rows);

/// The model page's "Next prune" section: each version the next `prune` would remove with
/// its reasons, or that it removes nothing, and the model's retention policy. `prune` is
/// `prune`'s dry-run result for the model; null when the caller may not run it, and then
/// the section is a note saying that write-token holders see it.
std::string prune_section(const nlohmann::json& prune);

/// The page of a diff of two versions, from `diff`'s result: the two versions, the bytes
/// they share, the files added, removed and changed (with sizes), and the metrics and
/// compat values that differ, side by side.
std::string diff_page(const nlohmann::json& diff);

/// The audit log page, from `audit`'s result (oldest first), newest first: time, user,
/// command, target and outcome, under a form of `filters` (the `since` and `user` the page
/// was asked for, shown again in the form's fields).
std::string audit_page(const nlohmann::json& audit, const nlohmann::json& filters);

} // namespace mv::web
