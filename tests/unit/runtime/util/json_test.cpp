#include "util/json.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace lambdaport::runtime::util;

namespace {

std::string nested(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

// The message for a text that is refused, or "" when it parses.
std::string problem_of(std::string_view text, json_limits limits = {}) {
    json_problem problem;
    if (parse_json(text, limits, &problem)) {
        return "";
    }
    return problem.message();
}

}  // namespace

TEST_CASE("parse_json builds what json::parse builds") {
    const std::string text =
        R"( {"a": [1, -2, 3.5, "x\u00e9", true, false, null, {}, []], "b": {"c": 18446744073709551615}} )";
    auto value = parse_json(text);
    REQUIRE(value);
    CHECK(*value == nlohmann::json::parse(text));
    CHECK((*value)["b"]["c"].is_number_unsigned());
    CHECK(parse_json("7") == nlohmann::json(7));
    CHECK(parse_json("\"s\"") == nlohmann::json("s"));
}

TEST_CASE("a repeated key keeps the last value unless unique keys are asked for") {
    CHECK(parse_json(R"({"a": 1, "a": 2})") == nlohmann::json{{"a", 2}});
    CHECK(problem_of("{\"f\": {\"x\": 1,\n  \"y\": [1],\n  \"x\": 2}}", {.unique_keys = true}) ==
          "f.x: defined twice: at line 1, column 8 and at line 3, column 3");
    // An escaped quote in the key does not hide where it starts.
    CHECK(problem_of(R"({"a\"b": 1, "a\"b": 2})", {.unique_keys = true}) ==
          R"(a"b: defined twice: at line 1, column 2 and at line 1, column 13)");
    // Equal keys in different objects are not repeats.
    CHECK(parse_json(R"({"a": {"x": 1}, "b": {"x": 1}})", {.unique_keys = true}));
}

TEST_CASE("nesting deeper than the limit is refused where it happens, without recursion") {
    CHECK(parse_json(nested(max_json_depth)));
    CHECK(problem_of(nested(max_json_depth + 1)) ==
          "line 1, column 1001: nested more than 1000 levels deep");
    CHECK(problem_of("{\"a\":\n [[[1]]]}", {.max_depth = 3}) ==
          "line 2, column 4: nested more than 3 levels deep");
    // What crashed the SDK's handlers: 70,000 levels, and a whole 6 MB of them.
    CHECK(problem_of(nested(70'000)).ends_with("nested more than 1000 levels deep"));
    CHECK_FALSE(parse_json(nested(3'000'000)));
}

TEST_CASE("numbers beyond a double's range name their key") {
    CHECK(problem_of("{\"functions\": {\"f\": {\"timeout\": 1e999}}}") ==
          "functions.f.timeout: the number 1e999 is out of range (line 1, column 33)");
    CHECK(problem_of("{\"a\": [1,\n -1e999]}") ==
          "a[1]: the number -1e999 is out of range (line 2, column 2)");
    CHECK(problem_of("1e400") == "line 1, column 1: the number 1e400 is out of range");
    // Large integers and tiny numbers are numbers.
    CHECK(parse_json("123456789012345678901234567890")->is_number_float());
    CHECK(parse_json("1e-999") == nlohmann::json(0.0));
}

TEST_CASE("syntax errors say where and what") {
    CHECK(problem_of("{\"a\": 1,\n \"b\": }").starts_with("line 2, column 7: syntax error"));
    CHECK(problem_of("").starts_with("line 1, column 1: syntax error"));
    CHECK(problem_of("[1] x").find("expected end of input") != std::string::npos);
    CHECK(problem_of("\"\xff\"").find("invalid string") != std::string::npos);
    json_problem problem;
    CHECK_FALSE(parse_json("nul", {}, &problem));
    CHECK(problem.what == json_problem::kind::syntax);
    CHECK(problem.line == 1);
}
