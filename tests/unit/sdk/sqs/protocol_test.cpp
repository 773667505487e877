#include "sqs/protocol.hpp"

#include <doctest/doctest.h>

#include "aws/digest.hpp"

using namespace lambdaport::sqs;
using namespace lambdaport::sqs::detail;
namespace aws = lambdaport::detail::aws;

TEST_CASE("a ReceiveMessage request asks for every attribute and checks its numbers") {
    receive_options o;
    o.max_messages = 7;
    o.wait_time_seconds = 20;
    json r = receive_request("http://q/1/jobs", o);
    CHECK(r["QueueUrl"] == "http://q/1/jobs");
    CHECK(r["MaxNumberOfMessages"] == 7);
    CHECK(r["WaitTimeSeconds"] == 20);
    CHECK(r["AttributeNames"] == json{"All"});
    CHECK(r["MessageSystemAttributeNames"] == json{"All"});
    CHECK(r["MessageAttributeNames"] == json{"All"});
    CHECK_FALSE(r.contains("VisibilityTimeout"));
    o.visibility_timeout = 30;
    o.receive_request_attempt_id = "attempt-1";
    r = receive_request("u", o);
    CHECK(r["VisibilityTimeout"] == 30);
    CHECK(r["ReceiveRequestAttemptId"] == "attempt-1");

    for (int bad : {0, 11}) {
        receive_options b;
        b.max_messages = bad;
        CHECK_THROWS_AS(receive_request("u", b), std::invalid_argument);
    }
    receive_options b;
    b.wait_time_seconds = 21;
    CHECK_THROWS_AS(receive_request("u", b), std::invalid_argument);
}

TEST_CASE("message fields: attributes in the JSON protocol's form, binary as base64") {
    send_options o;
    o.delay_seconds = 5;
    o.message_group_id = "g";
    o.deduplication_id = "d";
    o.attributes["n"] = {"Number", "42"};
    o.attributes["b"] = {"Binary", std::string("\x00\xff", 2)};
    json f = send_fields("body", o);
    CHECK(f["MessageBody"] == "body");
    CHECK(f["DelaySeconds"] == 5);
    CHECK(f["MessageGroupId"] == "g");
    CHECK(f["MessageDeduplicationId"] == "d");
    CHECK(f["MessageAttributes"]["n"] == json{{"DataType", "Number"}, {"StringValue", "42"}});
    CHECK(f["MessageAttributes"]["b"] == json{{"DataType", "Binary"}, {"BinaryValue", "AP8="}});
    CHECK_THROWS_AS(send_fields("", {}), std::invalid_argument);
    send_options late;
    late.delay_seconds = 901;
    CHECK_THROWS_AS(send_fields("x", late), std::invalid_argument);
}

TEST_CASE("received messages are read whole and their bodies checked against the MD5") {
    const std::string body = "héllo";
    json answer{{"Messages",
                 {{{"MessageId", "m1"},
                   {"ReceiptHandle", "r1"},
                   {"Body", body},
                   {"MD5OfBody", aws::md5_hex(body)},
                   {"MD5OfMessageAttributes", "abc"},
                   {"Attributes", {{"ApproximateReceiveCount", "3"}, {"SentTimestamp", "17"}}},
                   {"MessageAttributes",
                    {{"k", {{"DataType", "String"}, {"StringValue", "v"}}},
                     {"b", {{"DataType", "Binary"}, {"BinaryValue", "AQI="}}}}}}}}};
    auto messages = parse_messages(answer.dump());
    REQUIRE(messages.size() == 1);
    const auto& m = messages[0];
    CHECK(m.message_id == "m1");
    CHECK(m.receipt_handle == "r1");
    CHECK(m.body == body);
    CHECK(m.md5_of_message_attributes == "abc");
    CHECK(m.attributes.at("ApproximateReceiveCount") == "3");
    CHECK(m.message_attributes.at("k").value == "v");
    CHECK(m.message_attributes.at("b").data_type == "Binary");
    CHECK(m.message_attributes.at("b").value == std::string("\x01\x02", 2));

    CHECK(parse_messages("{}").empty());
    CHECK(parse_messages(R"({"Messages": null})").empty());

    answer["Messages"][0]["MD5OfBody"] = aws::md5_hex("something else");
    try {
        parse_messages(answer.dump());
        FAIL("a body that does not match its MD5 was accepted");
    } catch (const sqs_error& e) {
        CHECK(e.code() == "InvalidResponse");
    }
    CHECK_THROWS_AS(parse_messages("<xml/>"), sqs_error);
    CHECK_THROWS_AS(parse_messages(R"({"Messages": [{"Body": "x"}]})"), sqs_error);
    CHECK_THROWS_AS(
        parse_messages(R"({"Messages": [{"MessageId": "m", "ReceiptHandle": "r", "Body": "x",
                           "MessageAttributes": {"b": {"DataType": "Binary", "BinaryValue": "!"}}}]})"),
        sqs_error);
}

TEST_CASE("batch results list successes and failures") {
    auto r = parse_batch_result(
        R"({"Successful": [{"Id": "1"}, {"Id": "3"}],
            "Failed": [{"Id": "2", "Code": "ReceiptHandleIsInvalid", "Message": "bad", "SenderFault": true}]})");
    CHECK(r.successful == std::vector<std::string>{"1", "3"});
    REQUIRE(r.failed.size() == 1);
    CHECK(r.failed[0].id == "2");
    CHECK(r.failed[0].code == "ReceiptHandleIsInvalid");
    CHECK(r.failed[0].message == "bad");
    CHECK(r.failed[0].sender_fault);
}

TEST_CASE("errors: the JSON type without its namespace, the query code, XML, or the status") {
    auto e =
        parse_error(400,
                    R"({"__type": "com.amazonaws.sqs#QueueDoesNotExist",
                             "message": "The specified queue does not exist."})",
                    {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}});
    CHECK(e.code() == "QueueDoesNotExist");
    CHECK(e.query_code() == "AWS.SimpleQueueService.NonExistentQueue");
    CHECK(e.http_status() == 400);
    CHECK(std::string(e.what()) == "QueueDoesNotExist: The specified queue does not exist.");

    e = parse_error(403,
                    "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code>"
                    "<Message>no</Message></Error></ErrorResponse>",
                    {});
    CHECK(e.code() == "SignatureDoesNotMatch");
    CHECK(std::string(e.what()) == "SignatureDoesNotMatch: no");

    e = parse_error(503, "", {});
    CHECK(e.code() == "InternalFailure");
    e = parse_error(400, "", {{"x-amzn-errortype", "InvalidAddress:http://x"}});
    CHECK(e.code() == "InvalidAddress");

    CHECK(retryable(500, "InternalFailure"));
    CHECK(retryable(400, "ThrottlingException"));
    CHECK(retryable(429, ""));
    CHECK_FALSE(retryable(400, "QueueDoesNotExist"));
    CHECK_FALSE(retryable(403, "AccessDenied"));
}

TEST_CASE("queue ARNs") {
    CHECK(parse_queue_arn("arn:aws:sqs:eu-west-1:123456789012:jobs.fifo") ==
          std::pair<std::string, std::string>{"jobs.fifo", "123456789012"});
    CHECK(parse_queue_arn("arn:aws:s3:::bucket").first.empty());
    CHECK(parse_queue_arn("arn:aws:sqs:eu-west-1:123").first.empty());
    CHECK(parse_queue_arn("jobs").first.empty());
}

TEST_CASE("base64 both ways, and what is not base64") {
    for (std::string s : {std::string(), std::string("f"), std::string("fo"), std::string("foo"),
                          std::string("\x00\xff\x10\x80", 4)}) {
        CHECK(aws::base64_decode(aws::base64_encode(s)) == s);
    }
    CHECK(aws::base64_encode("foob") == "Zm9vYg==");
    CHECK_FALSE(aws::base64_decode("Zm9").has_value());
    CHECK_FALSE(aws::base64_decode("Zm=v").has_value());
    CHECK_FALSE(aws::base64_decode("Zm9v!A==").has_value());
}
