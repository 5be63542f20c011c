#pragma once
// `modelvaultctl list` and `show` for humans: the text of a list or show result
// (docs/PROTOCOL.md), pure so that tests check it without a daemon.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/time.hpp"

namespace mv::ctl {

/// The table of a list result's versions, or the sentence that says why there are none
/// (`filtered`: the request narrowed the list, so none matched rather than none exist).
std::string list_text(const nlohmann::json& result, bool filtered);

/// The columns of the list table: a STEP column when any version is a checkpoint with a
/// step, one per metric of `metric_columns` (--where, --sort), a NOTE column when any
/// version has a note.
struct ListColumns {
    bool steps = false;
    std::vector<std::string> metrics;
    bool notes = false;

    static ListColumns of(const nlohmann::json& result);
    std::vector<std::string> header() const;
    std::vector<std::string> row(const nlohmann::json& version) const;
};

/// The text of a show result: the version's fields, its files, then its params, metrics
/// and compat. `now` dates its age ("2 h ago").
std::string show_text(const nlohmann::json& result, SystemTime now);

/// The steps of show_text: the "name value" lines, and the table of files.
std::string show_fields(const nlohmann::json& result, SystemTime now);
std::string show_files(const nlohmann::json& manifest);

} // namespace mv::ctl
