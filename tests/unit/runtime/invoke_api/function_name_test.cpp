#include "invoke_api/function_name.hpp"

#include <doctest/doctest.h>

using lambdaport::runtime::invoke_api::parse_function_name;

TEST_CASE("function names in the three forms the Invoke API accepts") {
    auto plain = parse_function_name("hello");
    REQUIRE(plain);
    CHECK(plain->name == "hello");
    CHECK(plain->qualifier.empty());

    auto qualified = parse_function_name("hello:$LATEST");
    REQUIRE(qualified);
    CHECK(qualified->name == "hello");
    CHECK(qualified->qualifier == "$LATEST");

    auto arn = parse_function_name("arn:aws:lambda:eu-west-1:123456789012:function:my-fn:prod");
    REQUIRE(arn);
    CHECK(arn->name == "my-fn");
    CHECK(arn->qualifier == "prod");
    CHECK(arn->region == "eu-west-1");
    CHECK(arn->account_id == "123456789012");

    auto partial = parse_function_name("123456789012:function:my_fn");
    REQUIRE(partial);
    CHECK(partial->name == "my_fn");
    CHECK(partial->account_id == "123456789012");
    CHECK(partial->region.empty());
}

TEST_CASE("malformed function names are refused") {
    CHECK_FALSE(parse_function_name(""));
    CHECK_FALSE(parse_function_name("has space"));
    CHECK_FALSE(parse_function_name("a:b:c"));
    CHECK_FALSE(parse_function_name("hello:"));
    CHECK_FALSE(parse_function_name("arn:aws:s3:us-east-1:123456789012:function:x"));
    CHECK_FALSE(parse_function_name("arn:aws:lambda:us-east-1:12345:function:x"));
    CHECK_FALSE(parse_function_name(std::string(65, 'a')));
    CHECK(parse_function_name(std::string(64, 'a')));
}
