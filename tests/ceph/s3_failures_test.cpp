// Failures a user must fix, as the client reports them against a real gateway: wrong
// credentials, a missing bucket, an endpoint nobody answers on, a missing object.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include "tests/ceph/gateway.hpp"
#include "util/fd.hpp"

namespace mv::s3 {
namespace {

using test::GatewayTest;

class S3Failures : public GatewayTest {};

// Runs `request` and returns the S3Error it throws (fails the test when none).
template <typename Request>
S3Error failure_of(Request request) {
    try {
        request();
    } catch (const S3Error& error) {
        return error;
    }
    ADD_FAILURE() << "the request succeeded";
    return S3Error(FailureKind::rejected, "");
}

bool mentions(const S3Error& error, std::string_view text) {
    return std::string_view(error.what()).find(text) != std::string_view::npos;
}

TEST_F(S3Failures, AWrongSecretIsNamedWithTheCredentialsFile) {
    Credentials wrong = gateway().credentials;
    wrong.secret_access_key = "not-the-secret";
    ClientOptions options;
    options.credentials_file = "/etc/modelvault/s3-credentials";
    Client client(location(), wrong, options);
    const S3Error error = failure_of([&] { client.put("x", memory_body("x")); });
    EXPECT_EQ(error.kind(), FailureKind::wrong_credentials) << error.what();
    EXPECT_TRUE(mentions(error, "/etc/modelvault/s3-credentials")) << error.what();
    EXPECT_FALSE(mentions(error, "not-the-secret")) << error.what();
}

TEST_F(S3Failures, AnUnknownKeyIdIsWrongCredentials) {
    Client client(location(), Credentials{"NOSUCHKEY00000000000", "secret"});
    const S3Error error = failure_of([&] { client.list("", [](const ListedObject&) {}); });
    EXPECT_EQ(error.kind(), FailureKind::wrong_credentials) << error.what();
}

TEST_F(S3Failures, AMissingBucketSaysToCreateIt) {
    Location missing = location();
    missing.bucket += "-absent";
    Client client(missing, gateway().credentials);
    for (const auto& error : {failure_of([&] { client.put("x", memory_body("x")); }),
                              failure_of([&] { client.list("", [](const ListedObject&) {}); }),
                              failure_of([&] { client.get("x"); })}) {
        EXPECT_EQ(error.kind(), FailureKind::missing_bucket) << error.what();
        EXPECT_TRUE(mentions(error, "create it")) << error.what();
        EXPECT_TRUE(mentions(error, missing.bucket)) << error.what();
    }
}

// A loopback port on which nothing listens (bound, never listened on, then closed).
int closed_port() {
    const UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), size);
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &size);
    return ntohs(address.sin_port);
}

TEST_F(S3Failures, AnEndpointNobodyAnswersOnIsUnreachable) {
    Location nowhere = location();
    nowhere.endpoint = "http://127.0.0.1:" + std::to_string(closed_port());
    Client client(nowhere, gateway().credentials);
    const S3Error error = failure_of([&] { client.put("x", memory_body("x")); });
    EXPECT_EQ(error.kind(), FailureKind::unreachable) << error.what();
    EXPECT_TRUE(mentions(error, "s3.endpoint")) << error.what();
    EXPECT_TRUE(is_transient(error.kind()));
}

TEST_F(S3Failures, AMissingObjectIsNotFound) {
    const S3Error error = failure_of([&] { client().get("manifests/none"); });
    EXPECT_EQ(error.kind(), FailureKind::not_found) << error.what();
    EXPECT_EQ(error.code(), ErrorCode::not_found);
    EXPECT_FALSE(client().head("manifests/none"));
}

TEST_F(S3Failures, AStoppedTransferIsCancelled) {
    std::atomic<bool> stop{true};
    ClientOptions options;
    options.stop = &stop;
    Client client(location(), gateway().credentials, options);
    const S3Error error = failure_of([&] { client.put("x", memory_body(std::string(1000, 'x'))); });
    EXPECT_EQ(error.kind(), FailureKind::cancelled) << error.what();
}

} // namespace
} // namespace mv::s3
