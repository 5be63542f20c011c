#pragma once
// The FUSE operations of crashfs: a pass-through to the backing folder that reports
// every change to a CrashLog. After power_off() every operation fails with EIO, as
// on a machine whose power went: nothing more reaches the disk.

#define FUSE_USE_VERSION 31
#include <fuse.h>

#include "tests/powercut/crash_log.hpp"

namespace mv::powercut {

/// The operations; fuse_main's private data must be the CrashLog.
fuse_operations crashfs_operations();

/// From a signal handler: from now on every operation fails with EIO.
void power_off() noexcept;
bool powered_off() noexcept;

} // namespace mv::powercut
