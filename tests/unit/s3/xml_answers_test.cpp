#include <gtest/gtest.h>

#include "s3/xml_answers.hpp"

namespace mv::s3 {
namespace {

TEST(XmlAnswers, ReadsAnErrorBody) {
    const auto body = parse_error_body(
        R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchBucket</Code>)"
        R"(<Message>The bucket does not exist</Message><BucketName>x</BucketName></Error>)");
    EXPECT_EQ(body.code, "NoSuchBucket");
    EXPECT_EQ(body.message, "The bucket does not exist");
}

TEST(XmlAnswers, SomethingElseIsNoErrorBody) {
    EXPECT_EQ(parse_error_body("").code, "");
    EXPECT_EQ(parse_error_body("<html>proxy error</html>").code, "");
    EXPECT_EQ(parse_error_body("<Error><Code>").code, "");
}

TEST(XmlAnswers, ReadsAListingPageInTheS3Namespace) {
    const auto page = parse_list_page(
        R"(<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>)"
        R"(<IsTruncated>true</IsTruncated><Contents><Key>v/a&amp;b</Key><Size>6</Size>)"
        R"(<ETag>&quot;b1946&quot;</ETag></Contents><Contents><Key>v/c</Key><Size>0</Size>)"
        R"(</Contents><NextContinuationToken>tok/1</NextContinuationToken></ListBucketResult>)");
    ASSERT_TRUE(page) << page.error();
    ASSERT_EQ(page->objects.size(), 2u);
    EXPECT_EQ(page->objects[0].key, "v/a&b");
    EXPECT_EQ(page->objects[0].size, 6u);
    EXPECT_EQ(page->objects[0].etag, "\"b1946\"");
    EXPECT_TRUE(page->truncated);
    EXPECT_EQ(page->next_continuation_token, "tok/1");
}

TEST(XmlAnswers, RefusesBrokenListings) {
    EXPECT_FALSE(parse_list_page("<Error><Code>AccessDenied</Code></Error>"));
    EXPECT_FALSE(parse_list_page("<ListBucketResult><Contents><Key>a</Key><Size>-1</Size>"
                                 "</Contents></ListBucketResult>"));
    EXPECT_FALSE(parse_list_page("<ListBucketResult><Contents><Size>1</Size>"
                                 "</Contents></ListBucketResult>"));
    // Truncated without a token would loop forever on the first page.
    EXPECT_FALSE(parse_list_page("<ListBucketResult><IsTruncated>true</IsTruncated>"
                                 "</ListBucketResult>"));
}

TEST(XmlAnswers, DoesNotExpandExternalEntities) {
    const auto body = parse_error_body(
        R"(<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>)"
        R"(<Error><Code>&x;</Code></Error>)");
    EXPECT_EQ(body.code.find("root:"), std::string::npos);
}

TEST(XmlAnswers, ReadsAnUploadId) {
    const auto id = parse_upload_id(
        R"(<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
        R"(<Bucket>b</Bucket><Key>k</Key><UploadId>2~abc</UploadId></InitiateMultipartUploadResult>)");
    ASSERT_TRUE(id) << id.error();
    EXPECT_EQ(*id, "2~abc");
    EXPECT_FALSE(parse_upload_id("<InitiateMultipartUploadResult/>"));
}

TEST(XmlAnswers, WritesTheCompletionBodyWithEscapedETags) {
    const std::string body = complete_upload_body({{1, "\"a1\""}, {2, "\"b<2\""}});
    EXPECT_NE(body.find("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
                        "<ETag>\"a1\"</ETag></Part><Part><PartNumber>2</PartNumber>"
                        "<ETag>\"b&lt;2\"</ETag></Part></CompleteMultipartUpload>"),
              std::string::npos)
        << body;
}

} // namespace
} // namespace mv::s3
