#include "tests/ceph/gateway.hpp"

#include <cstdlib>
#include <fstream>
#include <random>

#include <fmt/format.h>

#include "tests/lib/process.hpp"
#include "tests/lib/skip.hpp"
#include "tests/lib/temp_dir.hpp"

namespace mv::test {

namespace {

std::string value_of(const std::string& env, std::string_view name) {
    const std::string key = std::string(name) + "=";
    const auto start = env.find(key);
    if (start == std::string::npos) {
        throw std::runtime_error(fmt::format("the gateway's env file has no {}", name));
    }
    const auto value = start + key.size();
    return env.substr(value, env.find('\n', value) - value);
}

std::string bucket_name() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = fmt::format("mv-{}", info->name());
    for (char& c : name) {
        c = static_cast<char>(std::isalnum(static_cast<unsigned char>(c)) ? std::tolower(c) : '-');
    }
    name.resize(std::min<std::size_t>(name.size(), 50));
    return fmt::format("{}-{:08x}", name, std::random_device{}());
}

void gateway_script(const Gateway& gateway, std::string_view action) {
    CommandOptions options;
    options.timeout = std::chrono::minutes(5);
    const auto result = run({"bash", std::string(MV_SOURCE_DIR) + "/tests/ceph/gateway.sh",
                             std::string(action), gateway.dir.string()},
                            options);
    if (result.exit_code != 0) {
        throw std::runtime_error(fmt::format("gateway.sh {} failed: {}", action, result.err));
    }
}

} // namespace

Gateway Gateway::from_environment() {
    Gateway gateway;
    const char* dir = std::getenv("MV_GATEWAY_DIR");
    if (dir == nullptr) {
        gateway.skip_reason = "MV_GATEWAY_DIR is not set: run these tests with ctest, whose "
                              "fixture s3_gateway starts the gateway (tests/ceph/README.md)";
        return gateway;
    }
    gateway.dir = dir;
    if (std::filesystem::exists(gateway.dir / "skip")) {
        gateway.skip_reason = read_file(gateway.dir / "skip");
        return gateway;
    }
    const std::string env = read_file(gateway.dir / "env");
    gateway.endpoint = value_of(env, "S3_ENDPOINT");
    gateway.credentials.access_key_id = value_of(env, "AWS_ACCESS_KEY_ID");
    gateway.credentials.secret_access_key = value_of(env, "AWS_SECRET_ACCESS_KEY");
    return gateway;
}

void Gateway::stop_rgw() const {
    gateway_script(*this, "stop-rgw");
}

void Gateway::start_rgw() const {
    gateway_script(*this, "start-rgw");
}

void GatewayTest::SetUp() {
    m_gateway = Gateway::from_environment();
    if (!m_gateway.skip_reason.empty()) {
        MV_SKIP_OR_FAIL(m_gateway.skip_reason);
    }
    m_location = s3::Location{m_gateway.endpoint, bucket_name(), "vault/", "us-east-1"};
    m_client = std::make_unique<s3::Client>(m_location, m_gateway.credentials);
    m_client->create_bucket();
}

} // namespace mv::test
