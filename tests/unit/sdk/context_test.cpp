#include "lambdaport/context.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "http_response_parser.hpp"
#include "runtime_api_client.hpp"

using lambdaport::context;
using lambdaport::function_info;
using lambdaport::invocation_info;
using namespace std::chrono_literals;

namespace {

// Parses a complete /next response; `raw` must outlive the parser's use.
void parse(lambdaport::detail::http_response_parser& parser, std::string& raw) {
    parser.reset();
    REQUIRE(parser.parse(raw.data(), raw.size()) ==
            lambdaport::detail::http_response_parser::status::done);
}

}  // namespace

TEST_CASE("invocation headers fill the invocation half of the context") {
    std::string raw =
        "HTTP/1.1 200 OK\r\n"
        "Lambda-Runtime-Aws-Request-Id: 8476a536-e9f4-11e8-9739-2dfe598c3fcd\r\n"
        "lambda-runtime-deadline-ms: 1542409706888\r\n"
        "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-2:123456789012:function:f\r\n"
        "Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Sampled=1\r\n"
        "Lambda-Runtime-Client-Context: {\"custom\":{\"k\":\"v\"}}\r\n"
        "Lambda-Runtime-Cognito-Identity: {\"cognitoIdentityId\":\"id\"}\r\n"
        "Content-Length: 2\r\n\r\n{}";
    lambdaport::detail::http_response_parser parser;
    parse(parser, raw);
    invocation_info info;
    REQUIRE(lambdaport::detail::read_invocation_headers(parser, info));

    const context ctx(info, function_info{});
    CHECK(ctx.request_id() == "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
    CHECK(ctx.deadline().time_since_epoch() == 1542409706888ms);
    CHECK(ctx.invoked_function_arn() == "arn:aws:lambda:us-east-2:123456789012:function:f");
    CHECK(ctx.trace_id() == "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Sampled=1");
    CHECK(ctx.client_context() == R"({"custom":{"k":"v"}})");
    CHECK(ctx.cognito_identity() == R"({"cognitoIdentityId":"id"})");
    CHECK(ctx.remaining_time() == 0ms);  // a deadline in 2018
}

TEST_CASE("absent invocation headers leave empty values and are overwritten on reuse") {
    std::string full =
        "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: first\r\n"
        "Lambda-Runtime-Client-Context: {}\r\nLambda-Runtime-Trace-Id: t\r\n"
        "Content-Length: 0\r\n\r\n";
    std::string sparse =
        "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: second\r\n"
        "Lambda-Runtime-Deadline-Ms: soon\r\nContent-Length: 0\r\n\r\n";
    lambdaport::detail::http_response_parser parser;
    invocation_info info;
    parse(parser, full);
    REQUIRE(lambdaport::detail::read_invocation_headers(parser, info));
    CHECK(info.client_context == "{}");
    parse(parser, sparse);
    REQUIRE(lambdaport::detail::read_invocation_headers(parser, info));
    CHECK(info.request_id == "second");
    CHECK(info.client_context.empty());
    CHECK(info.cognito_identity.empty());
    CHECK(info.trace_id.empty());
    CHECK(info.deadline.time_since_epoch().count() == 0);
}

TEST_CASE("a deadline past what the clock holds is the latest it holds, not an overflow") {
    // Found by tests/fuzz (runtime_next): UBSan saw the nanosecond conversion overflow.
    std::string raw =
        "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r\r\n"
        "Lambda-Runtime-Deadline-Ms: 17649792030000\r\nContent-Length: 0\r\n\r\n";
    lambdaport::detail::http_response_parser parser;
    parse(parser, raw);
    invocation_info info;
    REQUIRE(lambdaport::detail::read_invocation_headers(parser, info));
    const auto latest = std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::time_point::max());
    CHECK(info.deadline == latest);
    lambdaport::context ctx(info, {});
    CHECK(ctx.remaining_time() > std::chrono::hours{24 * 365 * 200});
}

TEST_CASE("a /next answer without a request id is refused") {
    std::string raw =
        "HTTP/1.1 200 OK\r\nLambda-Runtime-Deadline-Ms: 1\r\nContent-Length: 0\r\n\r\n";
    lambdaport::detail::http_response_parser parser;
    parse(parser, raw);
    invocation_info info;
    CHECK_FALSE(lambdaport::detail::read_invocation_headers(parser, info));
}

TEST_CASE("function facts come from the environment") {
    ::setenv("AWS_LAMBDA_FUNCTION_NAME", "hello", 1);
    ::setenv("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST", 1);
    ::setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512", 1);
    ::setenv("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/hello", 1);
    ::setenv("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/23/[$LATEST]0123456789abcdef", 1);
    const context ctx(invocation_info{}, function_info::from_environment());
    CHECK(ctx.function_name() == "hello");
    CHECK(ctx.function_version() == "$LATEST");
    CHECK(ctx.memory_limit_mb() == 512);
    CHECK(ctx.log_group_name() == "/aws/lambda/hello");
    CHECK(ctx.log_stream_name() == "2026/11/23/[$LATEST]0123456789abcdef");

    ::setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "12x", 1);
    CHECK(function_info::from_environment().memory_limit_mb == 0);
    ::setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "-5", 1);
    CHECK(function_info::from_environment().memory_limit_mb == 0);

    for (const char* name : {"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
                             "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME",
                             "AWS_LAMBDA_LOG_STREAM_NAME"}) {
        ::unsetenv(name);
    }
    const function_info empty = function_info::from_environment();
    CHECK(empty.name.empty());
    CHECK(empty.version.empty());
    CHECK(empty.memory_limit_mb == 0);
    CHECK(empty.log_group_name.empty());
    CHECK(empty.log_stream_name.empty());
}

TEST_CASE("remaining_time counts down to the deadline and stops at zero") {
    invocation_info info;
    info.deadline = std::chrono::system_clock::now() + 2s;
    const context soon(info, {});
    CHECK(soon.remaining_time() > 1500ms);
    CHECK(soon.remaining_time() <= 2000ms);

    info.deadline = std::chrono::system_clock::now() - 5s;
    const context late(info, {});
    CHECK(late.remaining_time() == 0ms);
}

TEST_CASE("invocation paths percent-encode the request id") {
    std::string target;
    lambdaport::detail::append_invocation_path(target, "8476a536-e9f4_11e8.x~y", "response");
    CHECK(target == "/2018-06-01/runtime/invocation/8476a536-e9f4_11e8.x~y/response");
    target.clear();
    lambdaport::detail::append_invocation_path(target, "a/b c?\xff", "error");
    CHECK(target == "/2018-06-01/runtime/invocation/a%2Fb%20c%3F%FF/error");
}
