#pragma once
// Bounded waiting for things that happen in another thread or process.

#include <chrono>
#include <functional>

namespace mv::test {

/// Polls `condition` every `poll` until it is true (returns true) or `timeout` passes
/// (returns false). Use with ASSERT_TRUE(wait_until(...)) so a test never hangs.
bool wait_until(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(20),
                std::chrono::milliseconds poll = std::chrono::milliseconds(20));

} // namespace mv::test
