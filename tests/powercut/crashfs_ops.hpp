#pragma once
// The FUSE operations of crashfs: a pass-through to the backing folder that reports
// every change to a CrashLog. After power_off() every operation fails with EIO, as
// on a machine whose power went: nothing more reaches the disk.

#define FUSE_USE_VERSION 31
#include <cstdint>
#include <fuse.h>

#include "tests/powercut/crash_log.hpp"

namespace mv::powercut {

/// The operations; fuse_main's private data must be the CrashLog.
fuse_operations crashfs_operations();

/// From a signal handler: from now on every operation fails with EIO.
void power_off() noexcept;
bool powered_off() noexcept;
/// Once armed, cut the power when the `distance`th mutating operation (a write, fsync,
/// create, rename ...) arrives, before it is done (0: never).
void cut_at_operation(std::uint64_t distance) noexcept;
/// From a signal handler: starts counting towards the cut of cut_at_operation().
void arm_cut() noexcept;
/// Mutating operations since arm_cut() (0 when it was not armed).
std::uint64_t operations_since_armed() noexcept;
/// When the power was cut, in seconds of CLOCK_MONOTONIC (0 if it was not).
double frozen_at() noexcept;

} // namespace mv::powercut
