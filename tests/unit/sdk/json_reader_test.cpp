#include "json_reader.hpp"

#include <doctest/doctest.h>

#include <string>

#include "lambdaport/events.hpp"
#include "lambdaport/runtime.hpp"

using lambdaport::detail::max_event_depth;
using lambdaport::detail::nests_deeper_than;
using lambdaport::detail::parse_json;
using nlohmann::json;

namespace {

std::string nested(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

}  // namespace

TEST_CASE("the SDK's parser builds what json::parse builds, up to its depth") {
    const std::string text = R"({"a": [1, -2, 3.5, "x", true, null, {"b": {}}], "a": 7, "c": []})";
    json value;
    std::string error;
    REQUIRE(parse_json(text, value, max_event_depth, error));
    CHECK(value == json::parse(text));
    CHECK(parse_json(nested(max_event_depth), value, max_event_depth, error));
    CHECK_FALSE(parse_json(nested(max_event_depth + 1), value, max_event_depth, error));
    CHECK(error == "nested more than 1000 levels deep");
    CHECK_FALSE(parse_json(nested(3'000'000), value, max_event_depth, error));
    CHECK_FALSE(parse_json("[1e999]", value, max_event_depth, error));
    CHECK(error.starts_with("not JSON: "));
    CHECK(error.find("1e999") != std::string::npos);
    CHECK_FALSE(parse_json("{", value, max_event_depth, error));
    CHECK(error.starts_with("not JSON: "));
}

TEST_CASE("nests_deeper_than measures without recursion") {
    CHECK_FALSE(nests_deeper_than(json(1), 0));
    CHECK_FALSE(nests_deeper_than(json::object(), 1));
    CHECK(nests_deeper_than(json::object(), 0));
    CHECK_FALSE(nests_deeper_than(json::parse(R"({"a": [1, {"b": []}], "c": {}})"), 4));
    CHECK(nests_deeper_than(json::parse(R"({"a": [1, {"b": []}], "c": {}})"), 3));
    // json::parse itself is iterative; a value this deep is what a handler must never copy.
    const json deep = json::parse(nested(200'000));
    CHECK(nests_deeper_than(deep, max_event_depth));
    CHECK_FALSE(nests_deeper_than(deep, 200'000));
}

TEST_CASE("an event nested too deep is Runtime.UnmarshalError, and the handler is not called") {
    bool called = false;
    auto handler = [&](const json& event, const lambdaport::context&) {
        called = true;
        return json{{"copy", event}};
    };
    const lambdaport::context ctx({.request_id = "req-1"}, {});
    const auto r = lambdaport::detail::invoke(handler, nested(70'000), ctx);
    CHECK_FALSE(called);
    CHECK(r.error_type() == "Runtime.UnmarshalError");
    CHECK(json::parse(r.payload())["errorMessage"] ==
          "the event is nested more than 1000 levels deep");
    CHECK(lambdaport::detail::invoke(handler, nested(max_event_depth - 1), ctx).is_success());
}

TEST_CASE("a scheduled event's detail is never copied when it is too deep") {
    json event = {{"id", "1"},     {"detail-type", "Scheduled Event"},
                  {"source", "x"}, {"account", "123456789012"},
                  {"time", "t"},   {"region", "us-east-1"}};
    event["detail"] = json::parse(nested(100'000));
    CHECK_THROWS_WITH_AS(lambdaport::events::scheduled_event::parse(event),
                         "detail: nested more than 1000 levels deep", std::invalid_argument);
    event["detail"] = {{"k", 1}};
    CHECK(lambdaport::events::scheduled_event::parse(event).detail["k"] == 1);
}
