#include "aws/sigv4.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "aws/digest.hpp"

// The expected values below come from outside this code base: the first is the "get-vanilla"
// case of AWS's SigV4 test suite; the others were computed with botocore's SigV4Auth (what the
// AWS CLI signs with) for the same requests, keys and time.

using namespace lambdaport::detail::aws;

namespace {

std::string header(const request& req, std::string_view name) {
    for (const auto& line : req.headers) {
        if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 &&
            line[name.size()] == ':') {
            return line.substr(name.size() + 2);
        }
    }
    return {};
}

std::chrono::system_clock::time_point at_20261123T201500Z() {
    using namespace std::chrono;
    return sys_days{year{2026} / 11 / 23} + hours{20} + minutes{15};
}

}  // namespace

TEST_CASE("SigV4: AWS's get-vanilla case") {
    request req;
    req.method = "GET";
    req.url = "https://example.amazonaws.com/";
    req.headers = {"Host: example.amazonaws.com", "X-Amz-Date: 20150830T123600Z"};
    const auto s = sigv4_sign(req, {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "",
                                    "us-east-1", "service"});
    CHECK(s.canonical_request ==
          "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(s.authorization ==
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
          "SignedHeaders=host;x-amz-date, "
          "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST_CASE("SigV4: an invoke by ARN signs the encoded path encoded once more, as botocore does") {
    const std::string body = R"({"order": 42})";
    request req;
    req.method = "POST";
    req.url =
        "https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/"
        "arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Aclean/invocations"
        "?Qualifier=%24LATEST";
    req.headers = {"Content-Type: application/json", "X-Amz-Invocation-Type: RequestResponse",
                   "X-Amz-Log-Type: Tail"};
    req.payload_sha256 = sha256_hex(body);
    const sigv4_credentials credentials{"AKIAIOSFODNN7EXAMPLE",
                                        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                        "FQoGZXIvYXdzE/token+with=chars", "eu-west-1", "lambda"};
    sign_v4(req, credentials, at_20261123T201500Z());

    CHECK(header(req, "Host") == "lambda.eu-west-1.amazonaws.com");
    CHECK(header(req, "X-Amz-Date") == "20261123T201500Z");
    CHECK(header(req, "X-Amz-Security-Token") == "FQoGZXIvYXdzE/token+with=chars");
    CHECK(
        header(req, "Authorization") ==
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261123/eu-west-1/lambda/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type;x-amz-log-type;"
        "x-amz-security-token, "
        "Signature=a297661eb65376883c0a3f13e3bf0a76ab6c35cf7bc378658e0c34a27b2d231b");

    // The canonical request botocore builds for it.
    request copy = req;
    std::erase_if(copy.headers,
                  [](const std::string& line) { return line.starts_with("Authorization:"); });
    CHECK(sigv4_sign(copy, credentials).canonical_request ==
          "POST\n"
          "/2015-03-31/functions/"
          "arn%253Aaws%253Alambda%253Aeu-west-1%253A123456789012%253Afunction%253Aclean/"
          "invocations\n"
          "Qualifier=%24LATEST\n"
          "content-type:application/json\n"
          "host:lambda.eu-west-1.amazonaws.com\n"
          "x-amz-date:20261123T201500Z\n"
          "x-amz-invocation-type:RequestResponse\n"
          "x-amz-log-type:Tail\n"
          "x-amz-security-token:FQoGZXIvYXdzE/token+with=chars\n"
          "\n"
          "content-type;host;x-amz-date;x-amz-invocation-type;x-amz-log-type;x-amz-security-token\n"
          "7522daf3f873864644b93416b89a4294f1b73dcbdffb1d5e38c9eff311be6ee9");
}

TEST_CASE("SigV4: a local endpoint's port is part of the signed host; signing again replaces") {
    request req;
    req.method = "POST";
    req.url = "http://127.0.0.1:3001/2015-03-31/functions/hello/invocations";
    req.headers = {"Content-Type: application/json", "X-Amz-Invocation-Type: Event"};
    req.payload_sha256 = sha256_hex("{}");
    const sigv4_credentials credentials{"AKIAIOSFODNN7EXAMPLE",
                                        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "", "us-east-1",
                                        "lambda"};
    const std::string expected =
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261123/us-east-1/lambda/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type, "
        "Signature=19c195a23dec7914a7aa715c8165e6d5ceee2c2ac8df4d7cd094af194ad1a0ee";
    sign_v4(req, credentials, at_20261123T201500Z());
    CHECK(header(req, "Host") == "127.0.0.1:3001");
    CHECK(header(req, "X-Amz-Security-Token").empty());
    CHECK(header(req, "Authorization") == expected);

    // A retry signs the same request again (later, here the same second): one of each header.
    sign_v4(req, credentials, at_20261123T201500Z());
    CHECK(header(req, "Authorization") == expected);
    CHECK(req.headers.size() == 5);
}

TEST_CASE("SigV4: query parameters are sorted and encoded one way; blanks in values squeezed") {
    request req;
    req.method = "GET";
    req.url = "https://example.amazonaws.com/a%20b/c?b=2&a=x%2fy&a=%41&flag";
    req.headers = {"X-Amz-Date: 20150830T123600Z", "Host: example.amazonaws.com",
                   "My-Header:   two   words  "};
    const auto s = sigv4_sign(req, {"AKIDEXAMPLE", "secret", "", "us-east-1", "service"});
    CHECK(s.canonical_request ==
          "GET\n/a%2520b/c\na=A&a=x%2Fy&b=2&flag=\nhost:example.amazonaws.com\n"
          "my-header:two words\nx-amz-date:20150830T123600Z\n\nhost;my-header;x-amz-date\n"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(s.string_to_sign.starts_with(
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"));
}

TEST_CASE("SigV4: requests it cannot sign") {
    request req;
    req.url = "ftp://example.com/";
    req.headers = {"X-Amz-Date: 20150830T123600Z"};
    CHECK_THROWS_AS(sigv4_sign(req, {}), std::invalid_argument);
    req.url = "https:///path";
    CHECK_THROWS_AS(sigv4_sign(req, {}), std::invalid_argument);
    req.url = "https://example.com/";
    req.headers.clear();
    CHECK_THROWS_AS(sigv4_sign(req, {}), std::invalid_argument);
}
