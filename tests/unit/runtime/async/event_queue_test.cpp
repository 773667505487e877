#include "async/event_queue.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace lambdaport::runtime::async;

TEST_CASE("event records survive a round trip through their JSON") {
    event_record r{"id-1", "fn", R"({"k":[1,2]})", 1'700'000'000'000, 2};
    event_record back;
    REQUIRE(from_json(to_json(r), back));
    CHECK(back.request_id == "id-1");
    CHECK(back.function == "fn");
    CHECK(back.payload == r.payload);
    CHECK(back.accepted_ms == r.accepted_ms);
    CHECK(back.attempts == 2);
    CHECK_FALSE(from_json("{}", back));
    CHECK_FALSE(from_json("not json", back));
}

TEST_CASE("the destination record has Lambda's shape") {
    event_record r{"id-1", "fn", R"({"k":1})", 0, 3};
    auto doc = nlohmann::json::parse(
        destination_record(r, "arn:aws:lambda:us-east-1:000000000000:function:fn",
                           "RetriesExhausted", R"({"errorMessage":"boom","errorType":"E"})"));
    CHECK(doc["version"] == "1.0");
    CHECK(doc["requestContext"]["requestId"] == "id-1");
    CHECK(doc["requestContext"]["condition"] == "RetriesExhausted");
    CHECK(doc["requestContext"]["approximateInvokeCount"] == 3);
    CHECK(doc["requestContext"]["functionArn"] ==
          "arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST");
    CHECK(doc["requestPayload"]["k"] == 1);
    CHECK(doc["responseContext"]["functionError"] == "Unhandled");
    CHECK(doc["responsePayload"]["errorMessage"] == "boom");
    CHECK(doc["timestamp"].get<std::string>().back() == 'Z');
}

TEST_CASE("atomic writes leave the whole file and no temporary behind") {
    auto dir = std::filesystem::temp_directory_path() / ("lp-atomic-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    auto file = dir / "sub" / "a.json";
    write_atomically(file, "first");
    write_atomically(file, "second version");
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str() == "second version");
    CHECK_FALSE(std::filesystem::exists(dir / "sub" / "a.json.tmp"));
    std::filesystem::remove_all(dir);
}
