#include <gtest/gtest.h>

#include "s3/failure.hpp"

namespace mv::s3 {
namespace {

TEST(Failure, ClassifiesWhatAUserMustFix) {
    EXPECT_EQ(classify({std::nullopt, "", "Connection refused"}), FailureKind::unreachable);
    EXPECT_EQ(classify({403, "InvalidAccessKeyId", ""}), FailureKind::wrong_credentials);
    EXPECT_EQ(classify({403, "SignatureDoesNotMatch", ""}), FailureKind::wrong_credentials);
    EXPECT_EQ(classify({403, "AccessDenied", ""}), FailureKind::access_denied);
    EXPECT_EQ(classify({404, "NoSuchBucket", ""}), FailureKind::missing_bucket);
    EXPECT_EQ(classify({404, "NoSuchKey", ""}), FailureKind::not_found);
    EXPECT_EQ(classify({400, "BadDigest", ""}), FailureKind::checksum_mismatch);
    EXPECT_EQ(classify({400, "XAmzContentSHA256Mismatch", ""}), FailureKind::checksum_mismatch);
    EXPECT_EQ(classify({503, "SlowDown", ""}), FailureKind::server);
    EXPECT_EQ(classify({500, "", ""}), FailureKind::server);
    EXPECT_EQ(classify({400, "InvalidArgument", ""}), FailureKind::rejected);
}

TEST(Failure, OnlyNetworkAndServerTroubleIsTransient) {
    EXPECT_TRUE(is_transient(FailureKind::unreachable));
    EXPECT_TRUE(is_transient(FailureKind::server));
    EXPECT_FALSE(is_transient(FailureKind::wrong_credentials));
    EXPECT_FALSE(is_transient(FailureKind::missing_bucket));
}

TEST(Failure, MessagesSayWhatToDo) {
    const S3Error credentials =
        make_error({403, "InvalidAccessKeyId", ""}, "PUT a", "s3://b/", "/etc/mv/creds");
    EXPECT_EQ(credentials.kind(), FailureKind::wrong_credentials);
    EXPECT_NE(std::string(credentials.what()).find("/etc/mv/creds"), std::string::npos);
    EXPECT_NE(std::string(credentials.what()).find("PUT a on s3://b/"), std::string::npos);

    const S3Error bucket = make_error({404, "NoSuchBucket", ""}, "PUT a", "s3://b/", "");
    EXPECT_NE(std::string(bucket.what()).find("create it"), std::string::npos) << bucket.what();

    const S3Error network =
        make_error({std::nullopt, "", "Failed to connect"}, "PUT a", "s3://b/", "");
    EXPECT_NE(std::string(network.what()).find("Failed to connect"), std::string::npos);
    EXPECT_NE(std::string(network.what()).find("s3.endpoint"), std::string::npos);
    EXPECT_EQ(to_string(network.kind()), "unreachable");
}

} // namespace
} // namespace mv::s3
