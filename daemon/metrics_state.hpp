#pragma once
// The daemon's part of the Prometheus metrics: its counters, queues and vault.

#include "metrics/report.hpp"

namespace mv::daemon {

class Daemon;

/// Counters since start, queue lengths, the vault's size and free space, and the newest
/// version of each configured watch (from the vault, so it survives restarts).
metrics::DaemonState metrics_state(Daemon& daemon);

} // namespace mv::daemon
