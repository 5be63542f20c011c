#pragma once
// Skipping a test that needs something the machine may lack (a Ceph gateway, torch): a skip
// with the reason on a developer's machine, a failure where everything must run. CI sets
// MV_REQUIRE_ALL=1 (.ci/run), so a gateway that no longer starts or a missing package
// fails the run instead of passing it quietly.

#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>

namespace mv::test {

/// True when MV_REQUIRE_ALL=1: no test may skip itself.
inline bool everything_required() {
    const char* value = std::getenv("MV_REQUIRE_ALL");
    return value != nullptr && std::strcmp(value, "1") == 0;
}

} // namespace mv::test

/// GTEST_SKIP() << reason, or a failure with the reason when MV_REQUIRE_ALL=1. Returns
/// from the calling function either way.
#define MV_SKIP_OR_FAIL(reason)                                                                    \
    do {                                                                                           \
        if (::mv::test::everything_required()) {                                                   \
            GTEST_FAIL() << (reason) << " (MV_REQUIRE_ALL=1: this machine must run it)";           \
        }                                                                                          \
        GTEST_SKIP() << (reason);                                                                  \
    } while (false)
