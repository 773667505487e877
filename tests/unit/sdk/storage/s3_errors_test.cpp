// storage_error from S3 answers; which answers are tried again; small helpers of the backend.

#include <doctest/doctest.h>

#include <string>

#include "storage/aws.hpp"
#include "storage/s3/download.hpp"
#include "storage/s3/errors.hpp"
#include "storage/s3/upload.hpp"

using namespace lambdaport::storage::detail::s3;
using lambdaport::detail::aws::retryable_transport;
using lambdaport::storage::storage_error;

TEST_CASE("s3 errors: the code and message come from the Error document") {
    const storage_error e = response_error({"GetObject", "bucket", "dir/key"}, 404,
                                           "<Error><Code>NoSuchKey</Code><Message>The specified "
                                           "key does not exist.</Message></Error>");
    CHECK(e.code() == "NoSuchKey");
    CHECK(e.http_status() == 404);
    CHECK(e.bucket() == "bucket");
    CHECK(e.key() == "dir/key");
    CHECK(std::string(e.what()) ==
          "GetObject bucket/dir/key: NoSuchKey (HTTP 404): The specified key does not exist.");

    const storage_error slow = response_error(
        {"PutObject", "b", "k"}, 503,
        "<Error><Code>SlowDown</Code><Message>Please reduce\nyour request rate.</Message></Error>");
    CHECK(slow.code() == "SlowDown");
    CHECK(std::string(slow.what()).find('\n') == std::string::npos);
}

TEST_CASE("s3 errors: without a document the status decides (HEAD)") {
    CHECK(response_error({"HeadObject", "b", "k"}, 404, "").code() == "NoSuchKey");
    CHECK(response_error({"ListObjectsV2", "b", ""}, 404, "").code() == "NoSuchBucket");
    CHECK(response_error({"HeadObject", "b", "k"}, 403, "").code() == "AccessDenied");
    CHECK(response_error({"GetObject", "b", "k"}, 416, "").code() == "InvalidRange");
    CHECK(response_error({"GetObject", "b", "k"}, 502, "<html>Bad Gateway</html>").code() ==
          "HttpStatus502");
    const storage_error e = response_error({"HeadObject", "b", "k"}, 403, "");
    CHECK(e.http_status() == 403);
    CHECK(std::string(e.what()).find("HeadObject b/k") == 0);
}

TEST_CASE("s3 errors: our own codes") {
    const storage_error network = network_error({"GetObject", "b", "k"}, "Couldn't connect");
    CHECK(network.code() == "NetworkError");
    CHECK(network.http_status() == 0);
    CHECK(std::string(network.what()) == "GetObject b/k: NetworkError: Couldn't connect");
    CHECK(invalid_response({"ListObjectsV2", "b", ""}, 200, "bad XML").code() == "InvalidResponse");
}

TEST_CASE("s3 errors: what is tried again") {
    CHECK(retryable_answer(500, "InternalError"));
    CHECK(retryable_answer(503, "SlowDown"));
    CHECK(retryable_answer(503, ""));
    CHECK(retryable_answer(502, ""));
    CHECK(retryable_answer(429, ""));
    CHECK(retryable_answer(400, "RequestTimeout"));
    CHECK(retryable_answer(400, "Throttling"));
    CHECK(retryable_answer(200, "InternalError"));  // CompleteMultipartUpload's 200 + <Error>
    CHECK_FALSE(retryable_answer(501, "NotImplemented"));
    CHECK_FALSE(retryable_answer(400, "InvalidArgument"));
    CHECK_FALSE(retryable_answer(403, "SignatureDoesNotMatch"));
    CHECK_FALSE(retryable_answer(404, "NoSuchKey"));
    CHECK_FALSE(retryable_answer(409, "BucketAlreadyExists"));

    CHECK(retryable_transport(CURLE_COULDNT_CONNECT));
    CHECK(retryable_transport(CURLE_PARTIAL_FILE));
    CHECK(retryable_transport(CURLE_OPERATION_TIMEDOUT));
    CHECK(retryable_transport(CURLE_RECV_ERROR));
    CHECK(retryable_transport(CURLE_GOT_NOTHING));
    CHECK_FALSE(retryable_transport(CURLE_WRITE_ERROR));
    CHECK_FALSE(retryable_transport(CURLE_ABORTED_BY_CALLBACK));
    CHECK_FALSE(retryable_transport(CURLE_URL_MALFORMAT));
}

TEST_CASE("s3 errors: one_line") {
    CHECK(one_line("a\r\nb\tc") == "a b c");
    CHECK(one_line("\n\nx\n") == "x");
    CHECK(one_line(std::string(500, 'x'), 10) == "xxxxxxxxxx...");
}

TEST_CASE("s3 download: Content-Range") {
    auto r = parse_content_range("bytes 100-199/1000");
    REQUIRE(r);
    CHECK(r->first == 100);
    CHECK(r->last == 199);
    CHECK(r->total == 1000u);
    auto unknown = parse_content_range("bytes 0-0/*");
    REQUIRE(unknown);
    CHECK_FALSE(unknown->total);
    CHECK_FALSE(parse_content_range("bytes */1000"));
    CHECK_FALSE(parse_content_range("items 0-1/2"));
    CHECK_FALSE(parse_content_range("bytes 5-4/10"));
    CHECK_FALSE(parse_content_range("bytes 0-x/10"));
}

TEST_CASE("s3 upload: part sizes stay within 10,000 parts") {
    constexpr std::uint64_t mib = 1024 * 1024;
    CHECK(part_size_for(256 * mib, 8 * mib) == 8 * mib);
    CHECK(part_size_for(80000 * mib, 8 * mib) == 8 * mib);
    CHECK(part_size_for(80001 * mib, 8 * mib) == 9 * mib);
    CHECK(part_size_for(5ULL * 1024 * 1024 * mib, 8 * mib) == 525 * mib);
}
