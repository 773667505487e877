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

namespace {

std::filesystem::path write_file(const std::filesystem::path& file, const std::string& text) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file;
}

}  // namespace

TEST_CASE("the index of a record is read without its payload") {
    auto dir = std::filesystem::temp_directory_path() / ("lp-index-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    event_record r{"id-1", "fn", std::string(100'000, 'x'), 1'700'000'000'000, 1, "fn/raw"};
    auto text = to_json(r);
    // The payload comes last, so that reading can stop where it starts.
    CHECK(text.find("\"payload\"") > text.find("\"source\""));

    event_record index;
    REQUIRE(read_index(write_file(dir / "new.json", text), index));
    CHECK(index.request_id == "id-1");
    CHECK(index.function == "fn");
    CHECK(index.accepted_ms == r.accepted_ms);
    CHECK(index.attempts == 1);
    CHECK(index.source == "fn/raw");
    CHECK(index.payload.empty());

    // Records of earlier engines have their keys in alphabetical order: payload in the middle.
    auto old = nlohmann::json{{"request_id", "id-2"}, {"function", "fn"}, {"payload", "{}"},
                              {"accepted_ms", 5},     {"attempts", 0},    {"source", ""}}
                   .dump();
    REQUIRE(read_index(write_file(dir / "old.json", old), index));
    CHECK(index.request_id == "id-2");
    CHECK(index.accepted_ms == 5);
    CHECK(index.payload.empty());

    // What is not a whole record is not an event.
    CHECK_FALSE(read_index(write_file(dir / "empty.json", ""), index));
    CHECK_FALSE(read_index(write_file(dir / "half.json", old.substr(0, old.size() / 2)), index));
    CHECK_FALSE(read_index(write_file(dir / "other.json", R"({"request_id": 5})"), index));
    CHECK_FALSE(read_index(write_file(dir / "array.json", "[1,2]"), index));
    CHECK_FALSE(read_index(dir / "missing.json", index));
    event_record whole;
    CHECK_FALSE(from_json(text.substr(0, text.size() - 1), whole));
    std::filesystem::remove_all(dir);
}
