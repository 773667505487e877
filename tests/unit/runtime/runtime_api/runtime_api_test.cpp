#include "runtime_api/runtime_api.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace lambdaport::runtime::runtime_api;
using kind = route::kind;

TEST_CASE("Runtime API routes") {
    CHECK(parse_route("GET", "/2018-06-01/runtime/invocation/next").what == kind::next);
    CHECK(parse_route("POST", "/2018-06-01/runtime/invocation/next").what == kind::unknown);
    auto r = parse_route("POST", "/2018-06-01/runtime/invocation/abc-123/response");
    CHECK(r.what == kind::response);
    CHECK(r.request_id == "abc-123");
    auto e = parse_route("POST", "/2018-06-01/runtime/invocation/abc/error");
    CHECK(e.what == kind::error);
    CHECK(e.request_id == "abc");
    CHECK(parse_route("POST", "/2018-06-01/runtime/init/error").what == kind::init_error);
    CHECK(parse_route("GET", "/2018-06-01/runtime/init/error").what == kind::unknown);
    CHECK(parse_route("POST", "/2018-06-01/runtime/invocation//response").what == kind::unknown);
    CHECK(parse_route("POST", "/2018-06-01/runtime/invocation/abc/other").what == kind::unknown);
    CHECK(parse_route("GET", "/2015-03-31/functions/x/invocations").what == kind::unknown);
}

TEST_CASE("a posted error is passed on when it is JSON, else built from header and text") {
    auto json_body =
        function_error(R"({"errorMessage":"m","errorType":"T.x","stackTrace":[]})", "");
    CHECK(json_body.function_error);
    CHECK(json_body.error_type == "T.x");
    CHECK(nlohmann::json::parse(json_body.payload)["errorMessage"] == "m");

    auto no_body = function_error("", "Runtime.Crash");
    CHECK(no_body.error_type == "Runtime.Crash");
    auto parsed = nlohmann::json::parse(no_body.payload);
    CHECK(parsed["errorType"] == "Runtime.Crash");
    CHECK(parsed["errorMessage"] == "Unknown error");

    auto text = function_error("plain text", "");
    CHECK(text.error_type == "Runtime.Unknown");
    CHECK(nlohmann::json::parse(text.payload)["errorMessage"] == "plain text");

    auto header_only_type = function_error(R"({"errorMessage":"m"})", "Custom.Type");
    CHECK(header_only_type.error_type == "Custom.Type");
}

TEST_CASE("413 carries Lambda's wording") {
    auto res = too_large({}, "/2018-06-01/runtime/invocation/x/response");
    CHECK(res.status == 413);
    auto body = nlohmann::json::parse(res.body);
    CHECK(body["errorType"] == "RequestEntityTooLarge");
    CHECK(body["errorMessage"] == "Exceeded maximum allowed payload size (6291556 bytes).");
}
