#include <gtest/gtest.h>

#include "s3/location.hpp"

namespace mv::s3 {
namespace {

Location ceph() {
    return Location{"http://127.0.0.1:7480", "lab-models", "vault/", "us-east-1"};
}

TEST(Location, CustomEndpointsUsePathStyle) {
    EXPECT_EQ(object_url(ceph(), "packs/ab/cd"),
              "http://127.0.0.1:7480/lab-models/vault/packs/ab/cd");
    EXPECT_EQ(bucket_url(ceph(), {{"prefix", "vault/"}, {"list-type", "2"}}),
              "http://127.0.0.1:7480/lab-models/?list-type=2&prefix=vault%2F");
}

TEST(Location, AwsUsesVirtualHostedStyle) {
    Location aws{"", "lab-models", "", "eu-west-1"};
    EXPECT_EQ(object_url(aws, "a"), "https://lab-models.s3.eu-west-1.amazonaws.com/a");
}

TEST(Location, QueryIsSortedAndParametersWithoutValueKeepTheirEqualsSign) {
    // SigV4 needs "uploads=" (curl 7.88 signs the query as given).
    EXPECT_EQ(query_string({{"uploads", ""}}), "uploads=");
    EXPECT_EQ(query_string({{"uploadId", "a b"}, {"partNumber", "2"}}),
              "partNumber=2&uploadId=a%20b");
}

TEST(Location, KeysAreEncodedAsSigV4CanonicalUris) {
    EXPECT_EQ(uri_encode("a b/c+d~e", true), "a%20b/c%2Bd~e");
    EXPECT_EQ(uri_encode("a/b", false), "a%2Fb");
    EXPECT_EQ(uri_encode("\xc3\xa9", true), "%C3%A9");
}

TEST(Location, AcceptsAValidLocation) {
    EXPECT_TRUE(validate(ceph()));
    EXPECT_TRUE(validate(Location{"", "my.bucket-1", "", "us-east-1"}));
}

TEST(Location, RefusesBadFieldsNamingThem) {
    struct Case {
        Location location;
        std::string field;
    };
    const std::vector<Case> cases = {
        {{"ftp://host", "bucket", "", "us-east-1"}, "s3.endpoint"},
        {{"http://host/path", "bucket", "", "us-east-1"}, "s3.endpoint"},
        {{"http://user@host", "bucket", "", "us-east-1"}, "s3.endpoint"},
        {{"http://host", "Bucket", "", "us-east-1"}, "s3.bucket"},
        {{"http://host", "ab", "", "us-east-1"}, "s3.bucket"},
        {{"http://host", "-bucket", "", "us-east-1"}, "s3.bucket"},
        {{"http://host", "bucket", "/vault/", "us-east-1"}, "s3.prefix"},
        {{"http://host", "bucket", "vault", "us-east-1"}, "s3.prefix"},
        {{"http://host", "bucket", "a//b/", "us-east-1"}, "s3.prefix"},
        {{"http://host", "bucket", "", ""}, "s3.region"},
        {{"http://host", "bucket", "", "US_EAST"}, "s3.region"},
    };
    for (const auto& c : cases) {
        const auto ok = validate(c.location);
        ASSERT_FALSE(ok) << c.location.endpoint << " " << c.location.bucket;
        EXPECT_EQ(ok.error().rfind(c.field, 0), 0u) << ok.error();
    }
}

} // namespace
} // namespace mv::s3
