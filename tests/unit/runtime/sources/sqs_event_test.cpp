#include "sources/sqs_event.hpp"

#include <doctest/doctest.h>

using namespace lambdaport::runtime::sources;
using json = nlohmann::json;
namespace sqs = lambdaport::sqs;

namespace {

sqs::message msg(std::string id, std::string body, std::string group = {}) {
    sqs::message m;
    m.message_id = std::move(id);
    m.receipt_handle = "rh-" + m.message_id;
    m.body = std::move(body);
    m.md5_of_body = "d41d8cd98f00b204e9800998ecf8427e";
    m.attributes = {{"ApproximateReceiveCount", "1"}, {"SentTimestamp", "1796150000000"}};
    if (!group.empty()) {
        m.attributes["MessageGroupId"] = group;
    }
    return m;
}

const std::vector<sqs::message> batch{msg("id-1", "a"), msg("id-2", "b"), msg("id-3", "c")};

}  // namespace

TEST_CASE("a record has the shape Lambda's SQS event source sends") {
    auto m = msg("059f36b4", "Test message.");
    m.md5_of_message_attributes = "00484c68...";
    m.message_attributes["kind"] = {"String", "csv"};
    m.message_attributes["blob"] = {"Binary", std::string("\x00\x01\x02\xff", 4)};
    json e = make_sqs_event({m}, "arn:aws:sqs:eu-west-1:123456789012:jobs", "eu-west-1");
    REQUIRE(e["Records"].size() == 1);
    const json& r = e["Records"][0];
    CHECK(r["messageId"] == "059f36b4");
    CHECK(r["receiptHandle"] == "rh-059f36b4");
    CHECK(r["body"] == "Test message.");
    CHECK(r["attributes"] ==
          json{{"ApproximateReceiveCount", "1"}, {"SentTimestamp", "1796150000000"}});
    CHECK(r["messageAttributes"]["kind"] == json{{"stringValue", "csv"},
                                                 {"stringListValues", json::array()},
                                                 {"binaryListValues", json::array()},
                                                 {"dataType", "String"}});
    CHECK(r["messageAttributes"]["blob"]["binaryValue"] == "AAEC/w==");
    CHECK_FALSE(r["messageAttributes"]["blob"].contains("stringValue"));
    CHECK(r["md5OfBody"] == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(r["md5OfMessageAttributes"] == "00484c68...");
    CHECK(r["eventSource"] == "aws:sqs");
    CHECK(r["eventSourceARN"] == "arn:aws:sqs:eu-west-1:123456789012:jobs");
    CHECK(r["awsRegion"] == "eu-west-1");
}

TEST_CASE("a record without message attributes has an empty object and no md5 of them") {
    json r = make_sqs_record(msg("x", "y"), "arn:aws:sqs:us-east-1:000000000000:q", "us-east-1");
    CHECK(r["messageAttributes"] == json::object());
    CHECK_FALSE(r.contains("md5OfMessageAttributes"));
}

TEST_CASE("batch responses that mean every message succeeded") {
    for (const char* answer : {"", "  \n", "null", "{}", R"({"batchItemFailures": null})",
                               R"({"batchItemFailures": []})", R"({"recorded": true})"}) {
        CAPTURE(answer);
        auto out = read_batch_response(answer, batch);
        CHECK_FALSE(out.all_failed);
        CHECK(out.failed_ids.empty());
    }
}

TEST_CASE("batch responses that name the failed messages") {
    auto out = read_batch_response(
        R"({"batchItemFailures": [{"itemIdentifier": "id-3"}, {"itemIdentifier": "id-1"},
                                  {"itemIdentifier": "id-3"}]})",
        batch);
    CHECK_FALSE(out.all_failed);
    CHECK(out.failed_ids == std::vector<std::string>{"id-3", "id-1"});
}

TEST_CASE("batch responses that fail the whole batch, with the reason") {
    struct case_ {
        const char* answer;
        const char* reason;
    };
    for (auto c :
         {case_{"not json", "not JSON"}, case_{R"("done")", "not a JSON object"},
          case_{"[1]", "not a JSON object"},
          case_{R"({"batchItemFailures": "id-1"})", "not a list"},
          case_{R"({"batchItemFailures": ["id-1"]})", "not an object"},
          case_{R"({"batchItemFailures": [{}]})", "no itemIdentifier"},
          case_{R"({"batchItemFailures": [{"itemIdentifier": null}]})", "no itemIdentifier"},
          case_{R"({"batchItemFailures": [{"itemIdentifier": ""}]})", "non-empty string"},
          case_{R"({"batchItemFailures": [{"itemIdentifier": 7}]})", "non-empty string"},
          case_{R"({"batchItemFailures": [{"itemIdentifer": "id-1"}]})", "no itemIdentifier"},
          case_{R"({"batchItemFailures": [{"itemIdentifier": "id-9"}]})",
                "'id-9' is not a message of the batch"}}) {
        CAPTURE(c.answer);
        auto out = read_batch_response(c.answer, batch);
        CHECK(out.all_failed);
        CHECK(out.reason.find(c.reason) != std::string::npos);
    }
}

TEST_CASE("a failure in a FIFO group holds back the rest of that group, and only that group") {
    std::vector<sqs::message> fifo{msg("a1", "", "A"), msg("b1", "", "B"), msg("a2", "", "A"),
                                   msg("b2", "", "B"), msg("a3", "", "A"), msg("c1", "", "C")};
    std::set<std::string> failed{"a2"};
    hold_back_groups(fifo, failed);
    CHECK(failed == std::set<std::string>{"a2", "a3"});

    failed = {"b1", "c1"};
    hold_back_groups(fifo, failed);
    CHECK(failed == std::set<std::string>{"b1", "b2", "c1"});

    failed.clear();
    hold_back_groups(fifo, failed);
    CHECK(failed.empty());
}

TEST_CASE("the region of an ARN") {
    CHECK(arn_region("arn:aws:sqs:eu-west-1:123456789012:jobs") == "eu-west-1");
    CHECK(arn_region("arn:aws-cn:sqs:cn-north-1:1:q") == "cn-north-1");
    CHECK(arn_region("arn:aws:sqs") == "");
    CHECK(arn_region("") == "");
}
