#pragma once
// The RADOS Gateway that the fixture s3_gateway started (gateway.sh), as tests see it:
// its endpoint and keys, a fresh bucket per test, and outages on demand.

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "s3/client.hpp"

namespace mv::test {

struct Gateway {
    std::filesystem::path dir;
    std::string skip_reason; ///< not empty: the tests must skip, saying this
    std::string endpoint;
    s3::Credentials credentials;

    /// Reads $MV_GATEWAY_DIR/env (or /skip); fails the test when neither exists.
    static Gateway from_environment();
    /// Stops (and restarts) the gateway alone, for outage tests.
    void stop_rgw() const;
    void start_rgw() const;
};

/// A test with its own freshly created bucket on the gateway; skips when there is none.
class GatewayTest : public ::testing::Test {
protected:
    void SetUp() override;

    /// The location of this test's bucket (prefix "vault/").
    const s3::Location& location() const { return m_location; }
    const Gateway& gateway() const { return m_gateway; }
    /// A client of this test's bucket.
    s3::Client& client() { return *m_client; }

private:
    Gateway m_gateway;
    s3::Location m_location;
    std::unique_ptr<s3::Client> m_client;
};

} // namespace mv::test
