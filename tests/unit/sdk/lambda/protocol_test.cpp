#include "lambda/protocol.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "aws/digest.hpp"

using namespace lambdaport::lambda;
using namespace lambdaport::lambda::detail;
namespace aws = lambdaport::detail::aws;

namespace {

bool has(const std::vector<std::string>& headers, const std::string& line) {
    return std::find(headers.begin(), headers.end(), line) != headers.end();
}

bool has_name(const std::vector<std::string>& headers, const std::string& name) {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const std::string& line) { return line.starts_with(name + ":"); });
}

}  // namespace

TEST_CASE("the Invoke path carries the function name percent-encoded") {
    CHECK(invoke_path("hello", "") == "/2015-03-31/functions/hello/invocations");
    CHECK(invoke_path("my-function_2", "") == "/2015-03-31/functions/my-function_2/invocations");
    CHECK(invoke_path("arn:aws:lambda:us-east-1:123456789012:function:hello", "") ==
          "/2015-03-31/functions/"
          "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Ahello/invocations");
    CHECK(invoke_path("hello:$LATEST", "") ==
          "/2015-03-31/functions/hello%3A%24LATEST/invocations");
    CHECK(invoke_path("hello", "$LATEST") ==
          "/2015-03-31/functions/hello/invocations?Qualifier=%24LATEST");
    CHECK(invoke_path("hello", "live") == "/2015-03-31/functions/hello/invocations?Qualifier=live");
    // Nothing a name could hold escapes its segment.
    CHECK(invoke_path("a/b?c#d e", "") == "/2015-03-31/functions/a%2Fb%3Fc%23d%20e/invocations");
    CHECK(encode_segment("Az09-_.~") == "Az09-_.~");
    CHECK(encode_segment("é") == "%C3%A9");
    CHECK_THROWS_AS(invoke_path("", ""), std::invalid_argument);
}

TEST_CASE("request headers: the invocation type always, log type and client context when asked") {
    auto plain = invoke_headers({});
    CHECK(has(plain, "X-Amz-Invocation-Type: RequestResponse"));
    CHECK(has(plain, "Content-Type: application/json"));
    CHECK_FALSE(has_name(plain, "X-Amz-Log-Type"));
    CHECK_FALSE(has_name(plain, "X-Amz-Client-Context"));

    CHECK(has(invoke_headers({.type = invocation_type::event}), "X-Amz-Invocation-Type: Event"));
    CHECK(has(invoke_headers({.type = invocation_type::dry_run}), "X-Amz-Invocation-Type: DryRun"));

    const std::string context = R"({"custom":{"tenant":"t-42"}})";
    auto asked = invoke_headers({.log = log_type::tail, .client_context = context});
    CHECK(has(asked, "X-Amz-Log-Type: Tail"));
    CHECK(has(asked, "X-Amz-Client-Context: " + aws::base64_encode(context)));
    CHECK(has(asked, "X-Amz-Client-Context: eyJjdXN0b20iOnsidGVuYW50IjoidC00MiJ9fQ=="));
}

TEST_CASE("a result: the payload, the function error, the version, the log tail decoded") {
    const std::string log = "START RequestId: 1f0c Version: $LATEST\nEND RequestId: 1f0c\n";
    header_list headers{{"x-amzn-requestid", "1f0c"},
                        {"x-amz-executed-version", "$LATEST"},
                        {"x-amz-log-result", aws::base64_encode(log)}};
    auto r = parse_result(200, headers, R"({"ok":true})");
    CHECK(r.status_code == 200);
    CHECK(r.payload == R"({"ok":true})");
    CHECK(r.function_error.empty());
    CHECK(r.executed_version == "$LATEST");
    CHECK(r.log_result == log);
    CHECK(r.request_id == "1f0c");

    headers.push_back({"x-amz-function-error", "Unhandled"});
    auto failed =
        parse_result(200, headers,
                     R"({"errorMessage":"boom","errorType":"std::runtime_error","stackTrace":[]})");
    CHECK(failed.function_error == "Unhandled");
    CHECK(failed.payload.find("boom") != std::string::npos);

    auto queued = parse_result(202, {{"x-amzn-requestid", "e1"}}, "");
    CHECK(queued.status_code == 202);
    CHECK(queued.payload.empty());
    CHECK(queued.executed_version.empty());
    CHECK(queued.log_result.empty());

    // A log header that is not base64 is kept as received rather than lost.
    CHECK(parse_result(200, {{"x-amz-log-result", "not base64!"}}, "{}").log_result ==
          "not base64!");
}

TEST_CASE("errors: the name from x-amzn-ErrorType, the message, Type and Reason from the body") {
    auto e = parse_error(
        404,
        R"({"Type":"User",)"
        R"("message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"})",
        {{"x-amzn-errortype", "ResourceNotFoundException"}, {"x-amzn-requestid", "r"}});
    CHECK(e.code() == "ResourceNotFoundException");
    CHECK(e.http_status() == 404);
    CHECK(e.type() == "User");
    CHECK(e.message() == "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
    CHECK(std::string(e.what()) ==
          "ResourceNotFoundException: Function not found: "
          "arn:aws:lambda:us-east-1:000000000000:function:nope");

    auto throttled = parse_error(
        429,
        R"({"Type":"User","message":"Rate Exceeded.",)"
        R"("Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"})",
        {{"x-amzn-errortype", "TooManyRequestsException:http://internal.amazon.com/coral/"}});
    CHECK(throttled.code() == "TooManyRequestsException");
    CHECK(throttled.reason() == "ReservedFunctionConcurrentInvocationLimitExceeded");

    // Servers that name the error in the body only.
    auto typed = parse_error(400,
                             R"({"__type":"com.amazonaws.lambda#InvalidRequestContentException",)"
                             R"("message":"Could not parse request body into json"})",
                             {});
    CHECK(typed.code() == "InvalidRequestContentException");
    CHECK(typed.message() == "Could not parse request body into json");
    CHECK(parse_error(400, R"({"__type":"ValidationException","Message":"bad"})", {}).message() ==
          "bad");

    // AWS's signature errors: a header and a bare message.
    auto signature = parse_error(
        403,
        R"({"message":"The request signature we calculated does not match the signature )"
        R"(you provided."})",
        {{"x-amzn-errortype", "InvalidSignatureException"}});
    CHECK(signature.code() == "InvalidSignatureException");
    CHECK(signature.type().empty());

    // Nothing but a status: a name from it; a body that is not JSON becomes the message.
    CHECK(parse_error(404, "", {}).code() == "ResourceNotFoundException");
    CHECK(parse_error(404, "", {}).message() == "HTTP 404");
    CHECK(parse_error(429, "", {}).code() == "TooManyRequestsException");
    CHECK(parse_error(413, "", {}).code() == "RequestEntityTooLargeException");
    CHECK(parse_error(403, "", {}).code() == "AccessDeniedException");
    auto gateway = parse_error(502, "<html>Bad Gateway</html>\r\n", {});
    CHECK(gateway.code() == "ServiceException");
    CHECK(gateway.message() == "<html>Bad Gateway</html>");
    CHECK(parse_error(418, "", {}).code() == "HTTP418");

    // Copies share their details: copying an exception never throws.
    lambda_error copy = e;
    CHECK(copy.code() == "ResourceNotFoundException");
}

TEST_CASE("throttling and 5xx are tried again, the caller's errors are not") {
    CHECK(retryable(429));
    CHECK(retryable(500));
    CHECK(retryable(502));
    CHECK(retryable(503));
    CHECK_FALSE(retryable(400));
    CHECK_FALSE(retryable(403));
    CHECK_FALSE(retryable(404));
    CHECK_FALSE(retryable(413));
}
