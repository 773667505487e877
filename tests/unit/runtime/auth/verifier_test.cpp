#include "auth/verifier.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

// The signed requests below are cases of AWS's SigV4 test suite (aws-signing-test-suite/v4, as
// the AWS Common Runtime publishes it: header-signed-request.txt), whose signatures AWS computed:
// key AKIDEXAMPLE, secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, us-east-1, service "service",
// 20150830T123600Z. Cases whose path needs encoding (get-utf8, get-space, the relative paths) are
// not used: they assume S3's rule (the path signed as sent), while Lambda's clients sign it
// encoded once more, which is what the verifier expects.

using namespace lambdaport::runtime;
using namespace std::chrono;

namespace {

const auth::credential example{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};
const system_clock::time_point suite_time = sys_days{year{2015} / 8 / 30} + hours{12} + minutes{36};

// "METHOD TARGET HTTP/1.1", "Name:value" lines, a blank line, the body: as an HTTP parser gives
// it (values without their surrounding blanks).
http::request parse(std::string_view text) {
    http::request req;
    auto line_end = text.find('\n');
    const std::string_view first = text.substr(0, line_end);
    req.method = std::string(first.substr(0, first.find(' ')));
    const auto target_start = first.find(' ') + 1;
    req.target = std::string(first.substr(target_start, first.rfind(' ') - target_start));
    text.remove_prefix(line_end + 1);
    while (!text.empty() && text.front() != '\n') {
        line_end = text.find('\n');
        std::string_view line = text.substr(0, line_end);
        const auto colon = line.find(':');
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') {
            value.remove_prefix(1);
        }
        req.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
        text.remove_prefix(line_end + 1);
    }
    if (!text.empty()) {
        req.body = std::string(text.substr(1));
    }
    return req;
}

auth::verdict check(const http::request& req, system_clock::time_point now = suite_time) {
    return auth::verifier({example}, "service").check(req, now);
}

void set_header(http::request& req, std::string_view name, std::string value) {
    for (auto& h : req.headers) {
        if (h.name == name) {
            h.value = std::move(value);
        }
    }
}

constexpr std::string_view get_vanilla =
    "GET / HTTP/1.1\n"
    "Host:example.amazonaws.com\n"
    "X-Amz-Date:20150830T123600Z\n"
    "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
    "aws4_request, SignedHeaders=host;x-amz-date, "
    "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n\n";

constexpr std::string_view post_form =
    "POST / HTTP/1.1\n"
    "Content-Type:application/x-www-form-urlencoded\n"
    "Host:example.amazonaws.com\n"
    "Content-Length:13\n"
    "x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\n"
    "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
    "aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, "
    "Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b\n"
    "X-Amz-Date:20150830T123600Z\n\n"
    "Param1=value1";

}  // namespace

TEST_CASE("verifier: AWS's SigV4 test suite requests are accepted") {
    const std::string_view cases[] = {
        get_vanilla,
        // post-vanilla
        "POST / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n"
        "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
        "aws4_request, SignedHeaders=host;x-amz-date, "
        "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b\n\n",
        // get-vanilla-query-order-key-case
        "GET /?Param2=value2&Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\n"
        "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
        "aws4_request, SignedHeaders=host;x-amz-date, "
        "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500\n"
        "X-Amz-Date:20150830T123600Z\n\n",
        // get-unreserved
        "GET /-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\n"
        "Host:example.amazonaws.com\n"
        "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
        "aws4_request, SignedHeaders=host;x-amz-date, "
        "Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f\n"
        "X-Amz-Date:20150830T123600Z\n\n",
        // get-header-value-trim
        "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1: value1\n"
        "My-Header2: \"a   b   c\"\n"
        "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
        "aws4_request, SignedHeaders=host;my-header1;my-header2;x-amz-date, "
        "Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736\n"
        "X-Amz-Date:20150830T123600Z\n\n",
        // get-header-key-duplicate
        "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value2\nMy-Header1:value2\n"
        "My-Header1:value1\n"
        "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
        "aws4_request, SignedHeaders=host;my-header1;x-amz-date, "
        "Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea\n"
        "X-Amz-Date:20150830T123600Z\n\n",
        // post-header-key-sort
        "POST / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value1\n"
        "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
        "aws4_request, SignedHeaders=host;my-header1;x-amz-date, "
        "Signature=c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c\n"
        "X-Amz-Date:20150830T123600Z\n\n",
        // get-vanilla-with-session-token: the token is a signed header like any other
        "GET / HTTP/1.1\nHost:example.amazonaws.com\n"
        "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
        "aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, "
        "Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8\n"
        "X-Amz-Date:20150830T123600Z\n"
        "X-Amz-Security-Token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\n",
        // post-x-www-form-urlencoded: the body is hashed
        post_form,
    };
    for (auto text : cases) {
        CAPTURE(text);
        const auto v = check(parse(text));
        CHECK(v.accepted());
        CHECK(v.message == "");
        CHECK(v.access_key_id == "AKIDEXAMPLE");
    }
}

TEST_CASE("verifier: a body changed after signing is refused, whatever X-Amz-Content-Sha256 says") {
    auto req = parse(post_form);
    req.body = "Param1=value2";
    const auto v = check(req);
    CHECK(v.why == auth::failure::invalid);
    CHECK(std::string(v.error_type()) == "InvalidSignatureException");
    CHECK(v.message ==
          "The request signature we calculated does not match the signature you provided. Check "
          "your AWS Secret Access Key and signing method. Consult the service documentation for "
          "details.");
}

TEST_CASE("verifier: a changed header, method, path or query is refused") {
    auto header = parse(post_form);
    set_header(header, "Content-Type", "application/json");
    CHECK(check(header).why == auth::failure::invalid);
    auto method = parse(get_vanilla);
    method.method = "POST";
    CHECK(check(method).why == auth::failure::invalid);
    auto path = parse(get_vanilla);
    path.target = "/x";
    CHECK(check(path).why == auth::failure::invalid);
    auto query = parse(get_vanilla);
    query.target = "/?a=b";
    CHECK(check(query).why == auth::failure::invalid);
    // A signed header that is not there.
    auto gone = parse(post_form);
    std::erase_if(gone.headers, [](const auto& h) { return h.name == "Content-Type"; });
    CHECK(check(gone).why == auth::failure::invalid);
}

TEST_CASE("verifier: the wrong secret, an unknown key, no Authorization") {
    const auto req = parse(get_vanilla);
    const auto wrong_secret = auth::verifier({{"AKIDEXAMPLE", "not-the-secret-at-all"}}, "service")
                                  .check(req, suite_time);
    CHECK(wrong_secret.why == auth::failure::invalid);

    const auto unknown = auth::verifier({{"AKIDOTHER", example.secret_access_key}}, "service")
                             .check(req, suite_time);
    CHECK(unknown.why == auth::failure::unknown_key);
    CHECK(std::string(unknown.error_type()) == "UnrecognizedClientException");
    CHECK(unknown.message == "The security token included in the request is invalid.");
    CHECK(unknown.access_key_id == "AKIDEXAMPLE");

    auto unsigned_req = req;
    std::erase_if(unsigned_req.headers, [](const auto& h) { return h.name == "Authorization"; });
    const auto missing = check(unsigned_req);
    CHECK(std::string(missing.error_type()) == "MissingAuthenticationTokenException");
    CHECK(missing.message == "Missing Authentication Token");

    // One of several accepted credentials.
    CHECK(
        auth::verifier({{"AKIDOTHER", "x"}, example}, "service").check(req, suite_time).accepted());
}

TEST_CASE("verifier: the clock may be 5 minutes off either way, not more") {
    const auto req = parse(get_vanilla);
    CHECK(check(req, suite_time + minutes{5}).accepted());
    CHECK(check(req, suite_time - minutes{5}).accepted());

    const auto late = check(req, suite_time + minutes{5} + seconds{1});
    CHECK(std::string(late.error_type()) == "InvalidSignatureException");
    CHECK(late.message ==
          "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z "
          "(20150830T124101Z - 5 min.)");

    const auto early = check(req, suite_time - minutes{10});
    CHECK(early.why == auth::failure::invalid);
    CHECK(early.message ==
          "Signature not yet current: 20150830T123600Z is still later than 20150830T123100Z "
          "(20150830T122600Z + 5 min.)");
}

TEST_CASE("verifier: Authorization headers AWS could not read") {
    auto req = parse(get_vanilla);
    set_header(req, "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1");
    auto v = check(req);
    CHECK(std::string(v.error_type()) == "IncompleteSignatureException");
    CHECK(v.message ==
          "Authorization header requires 'Signature' parameter. Authorization header requires "
          "'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 "
          "Credential=AKIDEXAMPLE/20150830/us-east-1");
    CHECK(check(req).why == auth::failure::incomplete);

    set_header(req, "Authorization",
               "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1,SignedHeaders=host;"
               "x-amz-date,Signature=00");
    CHECK(check(req).message ==
          "Credential must have exactly 5 slash-delimited elements, e.g. "
          "keyid/date/region/service/term, got 'AKIDEXAMPLE/20150830/us-east-1'");

    set_header(req, "Authorization", "Basic dXNlcjpwYXNz");
    CHECK(check(req).why == auth::failure::incomplete);

    auto no_date = parse(get_vanilla);
    std::erase_if(no_date.headers, [](const auto& h) { return h.name == "X-Amz-Date"; });
    CHECK(check(no_date).message.starts_with(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."));

    auto bad_date = parse(get_vanilla);
    set_header(bad_date, "X-Amz-Date", "2015-08-30T12:36:00Z");
    CHECK(check(bad_date).why == auth::failure::incomplete);

    // An unsigned date could be replaced on an overheard request.
    auto date_unsigned = parse(get_vanilla);
    set_header(date_unsigned, "Authorization",
               "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
               "SignedHeaders=host, Signature=00");
    CHECK(check(date_unsigned).why == auth::failure::incomplete);
}

TEST_CASE("verifier: the credential scope must name the request's day, the service, aws4_request") {
    auto req = parse(get_vanilla);
    set_header(req, "Authorization",
               "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/s3/aws4_reqest, "
               "SignedHeaders=host;x-amz-date, Signature=00");
    const auto v = check(req);
    CHECK(v.why == auth::failure::invalid);
    CHECK(v.message ==
          "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
          "HTTP: '20150831' != '20150830', from '20150830T123600Z'. Credential should be scoped to "
          "correct service: 'service'. Credential should be scoped with a valid terminator: "
          "'aws4_request', not 'aws4_reqest'.");
}

TEST_CASE("verifier: refusals are AWS's 403 with x-amzn-ErrorType and {\"message\"}") {
    auth::verdict v{auth::failure::incomplete, "Authorization=\xff\xfe", "AKID"};
    const auto res = auth::refusal(v);
    CHECK(res.status == 403);
    bool type = false;
    bool id = false;
    for (const auto& h : res.headers) {
        type = type || (h.name == "x-amzn-ErrorType" && h.value == "IncompleteSignatureException");
        id = id || (h.name == "x-amzn-RequestId" && h.value.size() == 36);
    }
    CHECK(type);
    CHECK(id);
    const auto body = nlohmann::json::parse(res.body);
    CHECK(body.size() == 1);
    CHECK(body["message"].get<std::string>().starts_with("Authorization="));
}

TEST_CASE("verifier: random credentials are fresh and usable") {
    const auto a = auth::random_credential();
    const auto b = auth::random_credential();
    CHECK(a.access_key_id.size() == 20);
    CHECK(a.access_key_id.starts_with("LPH"));
    CHECK(a.secret_access_key.size() == 40);
    CHECK(a.access_key_id != b.access_key_id);
    CHECK(a.secret_access_key != b.secret_access_key);
}
