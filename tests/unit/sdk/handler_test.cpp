#include "lambdaport/detail/handler.hpp"

#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "lambdaport/runtime.hpp"

using lambdaport::context;
using lambdaport::invocation_response;
using nlohmann::json;

namespace {

const context& test_context() {
    static const context ctx({.request_id = "req-1"}, {});
    return ctx;
}

template <class H>
invocation_response call(H&& handler, std::string_view payload) {
    return lambdaport::detail::invoke(handler, payload, test_context());
}

json echo_json(const json& event, const context& ctx) {
    return {{"event", event}, {"id", ctx.request_id()}};
}

std::string echo_payload(std::string_view payload, const context&) {
    return "<" + std::string(payload) + ">";
}

struct counting_handler {
    int calls = 0;
    json operator()(const json& event, const context&) { return {{"n", ++calls}, {"e", event}}; }
};

struct const_payload_handler {
    invocation_response operator()(std::string_view payload, const context&) const {
        return invocation_response::success(std::string(payload), "text/plain");
    }
};

}  // namespace

TEST_CASE("a JSON handler gets the parsed event; its result is serialised") {
    const auto r = call(
        [](const json& event, const context& ctx) {
            return json{{"x", event["x"].get<int>() + 1}, {"id", ctx.request_id()}};
        },
        R"({"x": 41})");
    CHECK(r.is_success());
    CHECK(r.payload() == R"({"id":"req-1","x":42})");
    CHECK(r.content_type() == "application/json");
    CHECK(r.error_type().empty());
}

TEST_CASE("a JSON handler may take the event by value and return what json converts from") {
    CHECK(call(
              [](json event, const context&) {
                  return std::vector<int>{1, 2, event.get<int>()};
              },
              "3")
              .payload() == "[1,2,3]");
    CHECK(call(
              [](const json&, const context&) {
                  return std::map<std::string, bool>{{"ok", true}};
              },
              "null")
              .payload() == R"({"ok":true})");
    // A string result is a JSON string, not a raw body.
    CHECK(call([](const json&, const context&) { return std::string("hi"); }, "{}").payload() ==
          "\"hi\"");
}

TEST_CASE("a JSON handler may return an invocation_response") {
    const auto r = call(
        [](const json& event, const context&) {
            if (event.contains("bad")) {
                return invocation_response::failure("bad input", "Input.Bad");
            }
            return invocation_response::success("<ok/>", "application/xml");
        },
        R"({"bad": 1})");
    CHECK_FALSE(r.is_success());
    CHECK(r.error_type() == "Input.Bad");
    CHECK(r.payload() == R"({"errorMessage":"bad input","errorType":"Input.Bad","stackTrace":[]})");
    const auto ok = call(
        [](const json&, const context&) {
            return invocation_response::success("<ok/>", "application/xml");
        },
        "{}");
    CHECK(ok.payload() == "<ok/>");
    CHECK(ok.content_type() == "application/xml");
}

TEST_CASE("a payload that is not JSON never reaches a JSON handler") {
    bool called = false;
    const auto r = call(
        [&](const json&, const context&) {
            called = true;
            return json(nullptr);
        },
        "{not json");
    CHECK_FALSE(called);
    CHECK_FALSE(r.is_success());
    CHECK(r.error_type() == "Runtime.UnmarshalError");
    const auto body = json::parse(r.payload());
    CHECK(body["errorType"] == "Runtime.UnmarshalError");
    CHECK(body["errorMessage"].get<std::string>().find("not JSON") != std::string::npos);
}

TEST_CASE("an empty payload is a null event") {
    CHECK(call(echo_json, "").payload() == R"({"event":null,"id":"req-1"})");
    CHECK(call(echo_json, " \n").payload() == R"({"event":null,"id":"req-1"})");
}

TEST_CASE("a result that cannot be written as JSON is Runtime.MarshalError") {
    const auto r = call([](const json&, const context&) { return json("\xff\xfe"); }, "{}");
    CHECK_FALSE(r.is_success());
    CHECK(r.error_type() == "Runtime.MarshalError");
}

TEST_CASE("a payload handler gets the raw bytes") {
    const auto r =
        call([](std::string_view payload, const context&) { return std::string(payload) + "!"; },
             "{not json");
    CHECK(r.is_success());
    CHECK(r.payload() == "{not json!");
    CHECK(r.content_type() == "application/json");

    CHECK(call([](std::string_view, const context&) { return "literal"; }, "").payload() ==
          "literal");
    CHECK(call(
              [](std::string_view p, const context&) {
                  return json{{"size", p.size()}};
              },
              "abc")
              .payload() == R"({"size":3})");
    const auto custom = call(const_payload_handler{}, "plain");
    CHECK(custom.payload() == "plain");
    CHECK(custom.content_type() == "text/plain");
}

TEST_CASE("functions, function pointers, stateful and noexcept callables") {
    CHECK(call(echo_json, "[1]").payload() == R"({"event":[1],"id":"req-1"})");
    CHECK(call(&echo_json, "2").payload() == R"({"event":2,"id":"req-1"})");
    CHECK(call(echo_payload, "[1]").payload() == "<[1]>");

    counting_handler counter;
    call(counter, "1");
    CHECK(call(counter, "\"x\"").payload() == R"({"e":"x","n":2})");
    CHECK(counter.calls == 2);

    int seen = 0;
    auto mutable_lambda = [seen](const json&, const context&) mutable { return ++seen; };
    call(mutable_lambda, "{}");
    CHECK(call(mutable_lambda, "{}").payload() == "2");

    CHECK(call([](const json& e, const context&) noexcept { return e; }, "[true]").payload() ==
          "[true]");
}

TEST_CASE("a generic lambda gets the parsed event") {
    CHECK(call([](const auto& event, const auto&) { return event.size(); }, "[1,2,3]").payload() ==
          "3");
}

// Which handler shapes `run` accepts, checked at compile time.
namespace shapes {
using json_lambda = decltype([](const json&, const context&) { return json(); });
using payload_lambda = decltype([](std::string_view, const context&) { return std::string(); });
using response_lambda = decltype([](std::string_view, const context&) {
    return invocation_response::success("");
});
using wrong_arguments = decltype([](int, const context&) { return json(); });
using no_context = decltype([](const json&) { return json(); });
using void_result = decltype([](const json&, const context&) {});
using pointer_result = decltype([](std::string_view, const context&) { return (int*)nullptr; });

static_assert(lambdaport::json_handler<json_lambda>);
static_assert(!lambdaport::payload_handler<json_lambda>);
static_assert(lambdaport::payload_handler<payload_lambda>);
static_assert(!lambdaport::json_handler<payload_lambda>);
static_assert(lambdaport::handler<response_lambda>);
static_assert(lambdaport::handler<json_lambda&>);
static_assert(lambdaport::handler<const counting_handler&> == false);  // its call is not const
static_assert(lambdaport::handler<counting_handler&>);
static_assert(lambdaport::handler<decltype(&echo_json)>);
static_assert(!lambdaport::handler<wrong_arguments>);
static_assert(!lambdaport::handler<no_context>);
static_assert(!lambdaport::handler<void_result>);
static_assert(!lambdaport::handler<pointer_result>);
static_assert(!lambdaport::handler<int>);
}  // namespace shapes

TEST_CASE("function_ref calls what it refers to without owning it") {
    int total = 0;
    auto add = [&total](int n) { total += n; };
    const lambdaport::detail::function_ref<void(int)> ref = add;
    ref(2);
    ref(3);
    CHECK(total == 5);
    CHECK(static_cast<bool>(ref));
    CHECK_FALSE(static_cast<bool>(lambdaport::detail::function_ref<void(int)>{}));
}
