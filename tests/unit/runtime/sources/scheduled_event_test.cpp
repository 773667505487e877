#include "sources/scheduled_event.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <nlohmann/json.hpp>

using namespace lambdaport::runtime::sources;
using json = nlohmann::json;

TEST_CASE("event times are UTC with whole seconds, as EventBridge writes them") {
    auto t = std::chrono::system_clock::from_time_t(1795464900);  // date -u -d @1795464900
    CHECK(event_time(t) == "2026-11-23T20:15:00Z");
    CHECK(event_time(t + std::chrono::milliseconds{999}) == "2026-11-23T20:15:00Z");
    CHECK(event_time(t + std::chrono::seconds{7}) == "2026-11-23T20:15:07Z");
    CHECK(event_time(std::chrono::system_clock::from_time_t(0)) == "1970-01-01T00:00:00Z");
    CHECK(event_time(std::chrono::system_clock::from_time_t(4233686400)) ==
          "2104-02-29T00:00:00Z");  // date -u -d 2104-02-29 +%s
}

TEST_CASE("a Scheduled Event has EventBridge's shape, keys and order") {
    auto t = std::chrono::system_clock::from_time_t(1795464900);
    auto text = make_scheduled_event("53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", t, "eu-west-1",
                                     "123456789012", "tick-EveryMinute");
    CHECK(text ==
          R"J({"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",)J"
          R"J("detail-type":"Scheduled Event","source":"aws.events","account":"123456789012",)J"
          R"J("time":"2026-11-23T20:15:00Z","region":"eu-west-1",)J"
          R"J("resources":["arn:aws:events:eu-west-1:123456789012:rule/tick-EveryMinute"],)J"
          R"J("detail":{}})J");
    auto event = json::parse(text);
    CHECK(event["detail"].is_object());
    CHECK(event["resources"].is_array());
    CHECK(rule_arn("us-east-1", "000000000000", "f-Nightly") ==
          "arn:aws:events:us-east-1:000000000000:rule/f-Nightly");
}
