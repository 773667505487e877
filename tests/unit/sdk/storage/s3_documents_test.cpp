// S3's XML answers (samples written here in the shapes S3 and moto send) and request bodies.

#include <doctest/doctest.h>

#include <chrono>

#include "storage/s3/documents.hpp"
#include "storage/s3/xml.hpp"

using namespace lambdaport::storage::detail::s3;
using namespace std::chrono;

TEST_CASE("s3 documents: ListBucketResult") {
    const std::string body = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name>
  <Prefix>dir/</Prefix>
  <KeyCount>3</KeyCount>
  <MaxKeys>3</MaxKeys>
  <Delimiter>/</Delimiter>
  <IsTruncated>true</IsTruncated>
  <Contents>
    <Key>dir/a &amp; b.txt</Key>
    <LastModified>2026-11-23T22:33:50.000Z</LastModified>
    <ETag>&quot;b787959dd8dfcaeb876bcef91b70b96c&quot;</ETag>
    <Size>2000000</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>dir/ctl&#x1;&lt;&gt;&#233;</Key>
    <LastModified>2026-11-23T22:33:51Z</LastModified>
    <ETag>"954b2206a43f5cbe4948dbd9e7cbedbf-8"</ETag>
    <Size>67108864</Size>
  </Contents>
  <CommonPrefixes><Prefix>dir/sub/</Prefix></CommonPrefixes>
  <CommonPrefixes><Prefix>dir/x&amp;y/</Prefix></CommonPrefixes>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>)";
    const auto page = parse_list_objects(body);
    REQUIRE(page.objects.size() == 2);
    CHECK(page.objects[0].key == "dir/a & b.txt");
    CHECK(page.objects[0].size == 2000000);
    CHECK(page.objects[0].etag == "\"b787959dd8dfcaeb876bcef91b70b96c\"");
    CHECK(page.objects[0].last_modified == sys_days(year(2026) / 11 / 23) + 22h + 33min + 50s);
    CHECK(page.objects[0].content_type.empty());
    CHECK(page.objects[1].key == "dir/ctl\x01<>\xC3\xA9");
    CHECK(page.objects[1].size == 67108864);
    CHECK(page.objects[1].etag == "\"954b2206a43f5cbe4948dbd9e7cbedbf-8\"");
    CHECK(page.common_prefixes == std::vector<std::string>{"dir/sub/", "dir/x&y/"});
    CHECK(page.truncated);
    CHECK(page.next_continuation_token == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST_CASE("s3 documents: an empty listing; a malformed one") {
    const auto page = parse_list_objects(
        "<ListBucketResult><Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated>"
        "</ListBucketResult>");
    CHECK(page.objects.empty());
    CHECK(page.common_prefixes.empty());
    CHECK_FALSE(page.truncated);
    CHECK(page.next_continuation_token.empty());

    CHECK_THROWS_AS(parse_list_objects("<Error><Code>NoSuchBucket</Code></Error>"), xml_error);
    CHECK_THROWS_AS(parse_list_objects("<ListBucketResult><Contents><Size>1</Size></Contents>"
                                       "</ListBucketResult>"),
                    xml_error);
    CHECK_THROWS_AS(parse_list_objects("<ListBucketResult><Contents><Key>k</Key><Size>-1</Size>"
                                       "</Contents></ListBucketResult>"),
                    xml_error);
    CHECK_THROWS_AS(parse_list_objects("<ListBucketResult><Contents><Key>k</Key><Size>1</Size>"
                                       "<LastModified>yesterday</LastModified></Contents>"
                                       "</ListBucketResult>"),
                    xml_error);
}

TEST_CASE("s3 documents: Error") {
    const auto error = parse_error_document(
        R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a&amp;b</Key><RequestId>X</RequestId></Error>)");
    REQUIRE(error);
    CHECK(error->code == "NoSuchKey");
    CHECK(error->message == "The specified key does not exist.");
    CHECK_FALSE(parse_error_document(""));
    CHECK_FALSE(parse_error_document("<html><body>Bad Gateway</body></html>"));
    CHECK_FALSE(parse_error_document("<ListBucketResult></ListBucketResult>"));
    CHECK_FALSE(parse_error_document("<Error><Code>broken"));
}

TEST_CASE("s3 documents: multipart upload answers") {
    CHECK(parse_upload_id(R"(<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2FkIElE&amp;x</UploadId>
</InitiateMultipartUploadResult>)") == "VXBsb2FkIElE&x");
    CHECK_THROWS_AS(parse_upload_id("<InitiateMultipartUploadResult/>"), xml_error);

    CHECK(parse_complete_etag(
              R"(<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Location>http://b.s3.amazonaws.com/k</Location><Bucket>b</Bucket><Key>k</Key>
  <ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>
</CompleteMultipartUploadResult>)") == "\"3858f62230ac3c915f300c664312c11f-9\"");
    // moto names the root differently.
    CHECK(parse_complete_etag("<CompleteMultipartUploadResponse><ETag>abc-2</ETag>"
                              "</CompleteMultipartUploadResponse>") == "\"abc-2\"");
    CHECK_THROWS_AS(parse_complete_etag("<Error><Code>InternalError</Code></Error>"), xml_error);

    CHECK(complete_multipart_body({"\"a\"", "\"b\""}) ==
          "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
          "<Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part>"
          "<Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag></Part>"
          "</CompleteMultipartUpload>");
}

TEST_CASE("s3 documents: CopyObjectResult") {
    const auto result = parse_copy_result(R"(<?xml version="1.0" encoding="UTF-8"?>
<CopyObjectResult><LastModified>2009-10-12T17:50:30.000Z</LastModified><ETag>"9b2cf535f27731c974343645a3985328"</ETag></CopyObjectResult>)");
    CHECK(result.etag == "\"9b2cf535f27731c974343645a3985328\"");
    CHECK(result.last_modified == sys_days(year(2009) / 10 / 12) + 17h + 50min + 30s);
    // Wrapped, as some stores answer.
    CHECK(parse_copy_result("<CopyObjectResponse><CopyObjectResult><ETag>\"x\"</ETag>"
                            "</CopyObjectResult></CopyObjectResponse>")
              .etag == "\"x\"");
    CHECK_THROWS_AS(parse_copy_result("<Error><Code>InternalError</Code></Error>"), xml_error);
}

TEST_CASE("s3 documents: CreateBucket body and ETag quoting") {
    CHECK(create_bucket_body("us-east-1").empty());
    CHECK(create_bucket_body("").empty());
    CHECK(create_bucket_body("eu-west-1") ==
          "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
          "<LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>");
    CHECK(quoted_etag("abc") == "\"abc\"");
    CHECK(quoted_etag("\"abc\"") == "\"abc\"");
    CHECK(quoted_etag("").empty());
}
