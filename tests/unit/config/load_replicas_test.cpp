// `replicas` (docs/CONFIG.md): what it accepts, its defaults, and the problem each bad
// value gets, with its key path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/config/problems.hpp"

namespace mv::config {
namespace {

using test::parse_ok;
using test::problems_of;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string with_s3(const std::string& s3, const std::string& more = "") {
    return R"({"replicas": [{"name": "offsite", "s3": )" + s3 + more + "}]}";
}

const std::string k_s3 = R"({"bucket": "lab-models", "credentials_file": "creds"})";

TEST(ReplicasConfig, AMinimalReplicaGetsTheDocumentedDefaults) {
    const Config config = parse_ok(with_s3(k_s3));
    ASSERT_EQ(config.replicas.size(), 1u);
    const Replica& r = config.replicas[0];
    EXPECT_EQ(r.name, "offsite");
    EXPECT_EQ(r.s3.endpoint, "");
    EXPECT_EQ(r.s3.bucket, "lab-models");
    EXPECT_EQ(r.s3.prefix, "");
    EXPECT_EQ(r.s3.region, "us-east-1");
    EXPECT_EQ(r.s3.credentials_file, "/etc/modelvault/creds") << "relative to the config file";
    EXPECT_EQ(r.bandwidth, 0u);
    EXPECT_EQ(r.parallel, 4);
    EXPECT_TRUE(parse_ok("{}").replicas.empty());
}

TEST(ReplicasConfig, EveryKeyIsRead) {
    const Config config = parse_ok(with_s3(
        R"({"endpoint": "https://s3.lab:9000", "bucket": "b-1", "prefix": "t1/v/",
            "region": "eu-central-1", "credentials_file": "/etc/c"})",
        R"(, "bandwidth": "1.5MiB/s", "parallel": 16)"));
    const Replica& r = config.replicas.at(0);
    EXPECT_EQ(r.s3.endpoint, "https://s3.lab:9000");
    EXPECT_EQ(r.s3.prefix, "t1/v/");
    EXPECT_EQ(r.s3.region, "eu-central-1");
    EXPECT_EQ(r.bandwidth, 3u << 19);
    EXPECT_EQ(r.parallel, 16);
}

TEST(ReplicasConfig, BadValuesAreNamedWithTheirPath) {
    EXPECT_THAT(problems_of(R"({"replicas": {}})"),
                ElementsAre(HasSubstr("replicas: expected an array of replicas")));
    EXPECT_THAT(
        problems_of(R"({"replicas": [{"s3": {"bucket": "b-1", "credentials_file": "/c"}}]})"),
        ElementsAre(HasSubstr("replicas[0].name: required")));
    EXPECT_THAT(problems_of(R"({"replicas": [{"name": "x"}]})"),
                ElementsAre(HasSubstr("replicas[0].s3: required")));
    EXPECT_THAT(problems_of(with_s3(R"({"bucket": "b-1"})")),
                ElementsAre(HasSubstr("replicas[0].s3.credentials_file: required")));
    EXPECT_THAT(problems_of(with_s3(R"({"credentials_file": "/c"})")),
                ElementsAre(HasSubstr("replicas[0].s3.bucket: required")));
    EXPECT_THAT(problems_of(with_s3(R"({"bucket": "b-1", "credentials_file": "/c",
                                        "endpoint": "10.0.0.5:7480"})")),
                ElementsAre(HasSubstr("replicas[0].s3.endpoint: expected http(s)://")));
    EXPECT_THAT(problems_of(with_s3(R"({"bucket": "b-1", "credentials_file": "/c",
                                        "endpoint": "http://h/bucket"})")),
                ElementsAre(HasSubstr("without a path")));
    EXPECT_THAT(problems_of(with_s3(R"({"bucket": "b-1", "credentials_file": "/c",
                                        "prefix": "/abs/"})")),
                ElementsAre(HasSubstr("replicas[0].s3.prefix")));
    EXPECT_THAT(problems_of(with_s3(k_s3, R"(, "bandwidth": "50MiB")")),
                ElementsAre(HasSubstr("replicas[0].bandwidth: expected a rate")));
    EXPECT_THAT(problems_of(with_s3(k_s3, R"(, "bandwidth": "10B/s")")),
                ElementsAre(HasSubstr("at least 1KiB/s")));
    EXPECT_THAT(problems_of(with_s3(k_s3, R"(, "parallel": 0)")),
                ElementsAre(HasSubstr("replicas[0].parallel")));
    EXPECT_THAT(problems_of(with_s3(k_s3, R"(, "keep_removed": "7 days")")),
                ElementsAre(HasSubstr("replicas[0].keep_removed")));
    EXPECT_THAT(problems_of(R"({"replicas": [{"name": "Off Site", "s3": {"bucket": "b-1",
                                "credentials_file": "/c"}}]})"),
                ElementsAre(HasSubstr("replicas[0].name: expected a name")));
}

TEST(ReplicasConfig, NamesAreUnique) {
    const std::string one = R"({"name": "a", "s3": {"bucket": "b-1", "credentials_file": "/c"}})";
    EXPECT_THAT(problems_of(R"({"replicas": [)" + one + "," + one + "]}"),
                ElementsAre(HasSubstr("replicas[1].name: another replica is already named")));
}

} // namespace
} // namespace mv::config
