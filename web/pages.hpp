#pragma once
// The dashboard's pages and the report (docs/HTTP.md, "Dashboard"; docs/CLI.md,
// `report`), rendered from the results of the control commands `status` and `list`:
// pure, so the browser, the report file and the tests see the same HTML.

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace mv::web {

/// Where a model's page is: "/models/lab%2Fa.pkl" in the dashboard, "#lab/a.pkl" in the
/// report.
using ModelLink = std::function<std::string(const std::string& model)>;

/// The overview: the vault, every watch (state, last backup, next run, problems) and a
/// row per model (versions, latest, best, stored size) linking to its page. `status` and
/// `list` are the commands' results.
std::string overview_page(const nlohmann::json& status, const nlohmann::json& list,
                          const ModelLink& link);

/// The page of `model`: the chart of `metric` (a JSON pointer; empty: the first one the
/// versions recorded), links to the other metrics, the versions table, the form that
/// opens a diff of two versions and the next prune's plan (web/review_pages.hpp).
/// `list` is `list`'s result for the model; `prune` is `prune`'s dry-run result for
/// it, or null when the caller may not run it.
std::string model_page(const std::string& model, const nlohmann::json& list,
                       const std::string& metric, const nlohmann::json& prune = nullptr);

/// The report (`modelvaultctl report --html`): the overview, then every model's section
/// (chart of its first metric, versions table), in one file that links within itself.
std::string report_page(const nlohmann::json& status, const nlohmann::json& list);

/// The model section of a page: heading, metric chart and versions table (without the
/// links to other metrics when `metric_links` is false, as in the report).
std::string model_section(const std::string& model, const nlohmann::json& rows,
                          const std::string& metric, bool metric_links);

} // namespace mv::web
