#pragma once
// Log sinks, chosen once at start-up (docs/SERVICE.md): under systemd (stderr connected to the
// journal, JOURNAL_STREAM) every line carries its syslog priority as "<N>" and no
// timestamp, journald adds the rest; in a terminal, local timestamps and colours.

#include "config/model.hpp"

namespace mv::daemon {

/// Installs the default logger on stderr in the right style.
void setup_logging(config::LogLevel level);

/// Changes the level (config reload).
void set_log_level(config::LogLevel level);

/// True when stderr is the journal stream systemd connected (JOURNAL_STREAM matches).
bool stderr_is_journal();

/// "<3>" when stderr is the journal stream, else "": the prefix of an error line written
/// before logging is set up (an invalid config at start), so that `journalctl -p warning`
/// shows why the service failed (docs/SERVICE.md).
const char* error_line_prefix();

} // namespace mv::daemon
