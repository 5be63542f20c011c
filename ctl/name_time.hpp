#pragma once
// `import --time-from-name`: the date and time written in a legacy copy's file name
// ("pacman_run_047_20260103_1632_DQN_pacman.zip" → 2026-01-03 16:32, local time). Pure;
// the shapes it reads are listed in k_name_time_shapes (and docs/CLI.md).

#include <string>
#include <string_view>

#include "util/expected.hpp"

namespace mv::ctl {

/// A local date and time found in a name; `text` is the part of the name it was read from.
struct NameTime {
    int year = 0;
    int month = 0;
    int day = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
    bool has_time = false; ///< false: a date alone, read as 00:00
    std::string text;
};

/// The shapes, for help texts and error messages.
inline constexpr std::string_view k_name_time_shapes =
    "YYYYMMDD, YYYYMMDD_HHMM[SS] (separator _ - T . or none), YYYY-MM-DD or YYYY_MM_DD or "
    "YYYY.MM.DD, each optionally followed by _ T - . or a space and HH[:-._h]MM[[:-._]SS]";

/// The one date (and time) in `name` (a file name, without folders). A date is a valid
/// calendar day of 1970–2099 not glued to other digits; a time is 00:00–23:59:59. Fails
/// when the name holds no date, or more than one (naming each, so that the user can
/// pass --time instead).
Result<NameTime> time_in_name(std::string_view name);

} // namespace mv::ctl
