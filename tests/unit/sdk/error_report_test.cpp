#include "error_report.hpp"

#include <doctest/doctest.h>

#include <new>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "lambdaport/runtime.hpp"

using lambdaport::detail::describe_current_exception;
using lambdaport::detail::error_report;

namespace billing {
struct invoice_error : std::logic_error {
    using std::logic_error::logic_error;
};
}  // namespace billing

namespace {

template <class F>
error_report report_of(F throw_it) {
    try {
        throw_it();
    } catch (...) {
        return describe_current_exception();
    }
    FAIL("nothing was thrown");
    return {};
}

}  // namespace

TEST_CASE("function_error reports its own type") {
    const auto r = report_of(
        [] { throw lambdaport::function_error("Validation.BadInput", "the input was bad"); });
    CHECK(r.type == "Validation.BadInput");
    CHECK(r.message == "the input was bad");
}

TEST_CASE("standard exceptions report their dynamic type name") {
    const auto runtime = report_of([] { throw std::runtime_error("boom"); });
    CHECK(runtime.type == "std::runtime_error");
    CHECK(runtime.message == "boom");

    // Thrown and caught through a base class: the dynamic type is what is reported.
    const auto derived = report_of([] {
        try {
            throw billing::invoice_error("unpaid");
        } catch (const std::logic_error&) {
            throw;
        }
    });
    CHECK(derived.type == "billing::invoice_error");
    CHECK(derived.message == "unpaid");

    const auto json_error = report_of([] { const auto never = nlohmann::json::parse("{"); });
    CHECK(json_error.type.find("parse_error") != std::string::npos);
}

TEST_CASE("std::bad_alloc is Runtime.OutOfMemory") {
    const auto r = report_of([] { throw std::bad_alloc(); });
    CHECK(r.type == "Runtime.OutOfMemory");
    CHECK(r.message.find("out of memory") != std::string::npos);
    CHECK(report_of([] { throw std::bad_array_new_length(); }).type == "Runtime.OutOfMemory");
}

TEST_CASE("exceptions not derived from std::exception") {
    const auto number = report_of([] { throw 42; });
    CHECK(number.type == "Runtime.UnknownException");
    CHECK(number.message == "an exception of type int was thrown");

    const auto text = report_of([] { throw "plain text"; });
    CHECK(text.type == "Runtime.UnknownException");
    CHECK(text.message == "plain text");

    const auto string = report_of([] { throw std::string("a string"); });
    CHECK(string.message == "a string");
}

TEST_CASE("error_document is the Runtime API's error body") {
    CHECK(
        lambdaport::detail::error_document("the input was bad", "Validation.BadInput") ==
        R"({"errorMessage":"the input was bad","errorType":"Validation.BadInput","stackTrace":[]})");
    // Quotes and control characters are escaped; bytes that are not UTF-8 are replaced.
    const auto document = lambdaport::detail::error_document("say \"hi\"\n\xff", "T");
    const auto parsed = nlohmann::json::parse(document);
    CHECK(parsed["errorMessage"] == "say \"hi\"\n\xEF\xBF\xBD");
    CHECK(parsed["stackTrace"] == nlohmann::json::array());
}

TEST_CASE("demangle") {
    CHECK(lambdaport::detail::demangle(typeid(std::runtime_error).name()) == "std::runtime_error");
    CHECK(lambdaport::detail::demangle("not a mangled name!") == "not a mangled name!");
}

TEST_CASE("function_error copies without throwing, like standard exceptions") {
    static_assert(std::is_nothrow_copy_constructible_v<lambdaport::function_error>);
    const lambdaport::function_error original("A.B", "m");
    const lambdaport::function_error copy = original;
    CHECK(copy.type() == "A.B");
    CHECK(std::string(copy.what()) == "m");
}
