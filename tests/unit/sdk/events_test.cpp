#include "lambdaport/events.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "lambdaport/runtime.hpp"

using namespace lambdaport::events;
using nlohmann::json;

namespace {

// An S3 notification as Amazon S3 sends it for one PUT into a versioned bucket.
const char* const amazon_put = R"({
  "Records": [
    {
      "eventVersion": "2.1",
      "eventSource": "aws:s3",
      "awsRegion": "eu-west-1",
      "eventTime": "2026-11-23T20:15:00.123Z",
      "eventName": "ObjectCreated:Put",
      "userIdentity": {"principalId": "AWS:AIDAJDPLRKLG7UEXAMPLE"},
      "requestParameters": {"sourceIPAddress": "203.0.113.10"},
      "responseElements": {
        "x-amz-request-id": "C3D13FE58DE4C810",
        "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"
      },
      "s3": {
        "s3SchemaVersion": "1.0",
        "configurationId": "raw-objects",
        "bucket": {
          "name": "raw",
          "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
          "arn": "arn:aws:s3:::raw"
        },
        "object": {
          "key": "2026/11/my+file%2B1.csv",
          "size": 1024,
          "eTag": "0123456789abcdef0123456789abcdef",
          "versionId": "096fKKXTRTtl3on89fVO.nfljtsv6qko",
          "sequencer": "0055AED6DCD90281E5"
        }
      }
    }
  ]
})";

// MinIO's webhook target: eventVersion 2.0, eventSource minio:s3, "s3:" before the event name,
// the key url.QueryEscape'd, no region; the second object is empty (no size, no eTag).
const char* const minio_webhook = R"({
  "EventName": "s3:ObjectCreated:Put",
  "Key": "images/holiday photos/beach.jpg",
  "Records": [
    {
      "eventVersion": "2.0",
      "eventSource": "minio:s3",
      "awsRegion": "",
      "eventTime": "2026-11-23T20:15:00.000Z",
      "eventName": "s3:ObjectCreated:Put",
      "userIdentity": {"principalId": "minioadmin"},
      "requestParameters": {
        "principalId": "minioadmin", "region": "", "sourceIPAddress": "172.18.0.1"
      },
      "responseElements": {
        "x-amz-id-2": "dd9025bab4ad464b049177c95eb6ebf374d3b3fd1af9251148b658df7ac2e3e8",
        "x-amz-request-id": "1879A8F7D6A3A1D2",
        "x-minio-deployment-id": "2b5f6c2e-7d6a-4c11-9f0e-0c3a1d2b3c4d",
        "x-minio-origin-endpoint": "http://172.18.0.2:9000"
      },
      "s3": {
        "s3SchemaVersion": "1.0",
        "configurationId": "Config",
        "bucket": {
          "name": "images",
          "ownerIdentity": {"principalId": "minioadmin"},
          "arn": "arn:aws:s3:::images"
        },
        "object": {
          "key": "holiday+photos%2Fbeach.jpg",
          "size": 248682,
          "eTag": "f1671feacb8bbf7b0397c6e9364e8c92",
          "contentType": "image/jpeg",
          "userMetadata": {"content-type": "image/jpeg"},
          "sequencer": "1879A8F7D8E0B6C5"
        }
      },
      "source": {
        "host": "172.18.0.1", "port": "", "userAgent": "MinIO (linux; amd64) minio-go/v7.0.70"
      }
    },
    {
      "eventVersion": "2.0",
      "eventSource": "minio:s3",
      "awsRegion": "",
      "eventTime": "2026-11-23T20:15:01.000Z",
      "eventName": "s3:ObjectCreated:Put",
      "s3": {
        "s3SchemaVersion": "1.0",
        "configurationId": "Config",
        "bucket": {
          "name": "images",
          "ownerIdentity": {"principalId": "minioadmin"},
          "arn": "arn:aws:s3:::images"
        },
        "object": {"key": "empty.txt", "contentType": "text/plain", "sequencer": "1879A8F7D8E0B6C6"}
      }
    }
  ]
})";

// Lambda's SQS event: a standard queue's message with a string and a binary attribute, and a
// FIFO queue's message.
const char* const sqs_batch = R"({
  "Records": [
    {
      "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
      "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a7fDkqKDpmVHCeqy2LQkJ6lTpT1Y8X",
      "body": "{\"object\": \"raw/2026/11/trips.csv\"}",
      "attributes": {
        "ApproximateReceiveCount": "1",
        "SentTimestamp": "1545082649183",
        "SenderId": "AIDAIENQZJOLO23YVJ4VO",
        "ApproximateFirstReceiveTimestamp": "1545082649185"
      },
      "messageAttributes": {
        "tenant": {
          "stringValue": "t-42",
          "stringListValues": [], "binaryListValues": [], "dataType": "String"
        },
        "thumbnail": {
          "binaryValue": "AP8BAg==",
          "stringListValues": [], "binaryListValues": [], "dataType": "Binary"
        },
        "attempt": {
          "stringValue": "3",
          "stringListValues": [], "binaryListValues": [], "dataType": "Number.int"
        }
      },
      "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
      "md5OfMessageAttributes": "8f8a3ecb23c2ba0ab4bd7c8b5e3d4b19",
      "eventSource": "aws:sqs",
      "eventSourceARN": "arn:aws:sqs:us-east-2:123456789012:jobs",
      "awsRegion": "us-east-2"
    },
    {
      "messageId": "2e1424d4-f796-459a-8184-9c92662be6da",
      "receiptHandle": "AQEBzWwaftRI0KuVm4tP+/7q1rGgNqicHq",
      "body": "second",
      "attributes": {
        "ApproximateReceiveCount": "2",
        "SentTimestamp": "1545082650636",
        "SenderId": "AIDAIENQZJOLO23YVJ4VO",
        "ApproximateFirstReceiveTimestamp": "1545082650649",
        "MessageGroupId": "orders",
        "MessageDeduplicationId": "d-1",
        "SequenceNumber": "18849496460467696128"
      },
      "messageAttributes": {},
      "md5OfBody": "a9f0e61a137d86aa9db53465e0801612",
      "eventSource": "aws:sqs",
      "eventSourceARN": "arn:aws:sqs:us-east-2:123456789012:jobs.fifo",
      "awsRegion": "us-east-2"
    }
  ]
})";

// EventBridge's Scheduled Event.
const char* const scheduled = R"({
  "version": "0",
  "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
  "detail-type": "Scheduled Event",
  "source": "aws.events",
  "account": "123456789012",
  "time": "2026-11-23T20:15:00Z",
  "region": "us-east-1",
  "resources": ["arn:aws:events:us-east-1:123456789012:rule/nightly"],
  "detail": {}
})";

// The message of the invalid_argument `f` throws; fails the test when it throws nothing.
template <class F>
std::string error_of(F f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    FAIL("no std::invalid_argument was thrown");
    return {};
}

json with(const char* document, const json::json_pointer& where, json value) {
    json doc = json::parse(document);
    doc[where] = std::move(value);
    return doc;
}

json without(const char* document, const json::json_pointer& where) {
    json doc = json::parse(document);
    doc[where.parent_pointer()].erase(where.back());
    return doc;
}

}  // namespace

TEST_CASE("kind_of tells S3, SQS and scheduled events from anything else") {
    CHECK(kind_of(json::parse(amazon_put)) == event_kind::s3);
    CHECK(kind_of(json::parse(minio_webhook)) == event_kind::s3);
    CHECK(kind_of(json::parse(sqs_batch)) == event_kind::sqs);
    CHECK(kind_of(json::parse(scheduled)) == event_kind::scheduled);

    CHECK(kind_of(json::object()) == event_kind::other);
    CHECK(kind_of(json{{"x", 1}}) == event_kind::other);
    CHECK(kind_of(json::array()) == event_kind::other);
    CHECK(kind_of(json("Records")) == event_kind::other);
    CHECK(kind_of(json{{"Records", json::array()}}) == event_kind::other);
    CHECK(kind_of(json{{"Records", nullptr}}) == event_kind::other);
    CHECK(kind_of(json::parse(R"({"Records":[{"eventSource":"aws:sns"}]})")) == event_kind::other);
    CHECK(kind_of(json::parse(R"({"Records":[42]})")) == event_kind::other);
    // An EventBridge event that is not a schedule's.
    CHECK(kind_of(with(scheduled, "/detail-type"_json_pointer, "Object Created")) ==
          event_kind::other);

    CHECK(to_string(event_kind::s3) == "s3");
    CHECK(to_string(event_kind::sqs) == "sqs");
    CHECK(to_string(event_kind::scheduled) == "scheduled");
    CHECK(to_string(event_kind::other) == "other");
}

TEST_CASE("an Amazon S3 notification is read field by field, the key decoded") {
    const auto event = s3_event::parse(json::parse(amazon_put));
    REQUIRE(event.records.size() == 1);
    const s3_record& r = event.records[0];
    CHECK(r.event_version == "2.1");
    CHECK(r.event_source == "aws:s3");
    CHECK(r.region == "eu-west-1");
    CHECK(r.event_time == "2026-11-23T20:15:00.123Z");
    CHECK(r.event_name == "ObjectCreated:Put");
    CHECK(r.configuration_id == "raw-objects");
    CHECK(r.bucket_name == "raw");
    CHECK(r.bucket_arn == "arn:aws:s3:::raw");
    CHECK(r.key == "2026/11/my file+1.csv");
    CHECK(r.size == 1024);
    CHECK(r.etag == "0123456789abcdef0123456789abcdef");
    CHECK(r.sequencer == "0055AED6DCD90281E5");
    REQUIRE(r.version_id.has_value());
    CHECK(*r.version_id == "096fKKXTRTtl3on89fVO.nfljtsv6qko");
}

TEST_CASE("S3 keys are decoded with form rules: '+' is a space, then %XX bytes") {
    CHECK(decode_s3_key("my+file%2B1.csv") == "my file+1.csv");
    CHECK(decode_s3_key("caf%C3%A9/%E2%82%AC+100.txt") == "café/€ 100.txt");
    CHECK(decode_s3_key("%e6%97%a5%e6%9c%ac.csv") == "日本.csv");  // lower-case hex too
    CHECK(decode_s3_key("100%25+done") == "100% done");
    CHECK(decode_s3_key("a%2Fb/c") == "a/b/c");
    CHECK(decode_s3_key("%2B%2B") == "++");
    CHECK(decode_s3_key("plain/key-1_2.3*~") == "plain/key-1_2.3*~");
    CHECK(decode_s3_key("") == "");
    for (const char* bad : {"50%", "a%2", "%zz", "%G0", "x%+1"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(decode_s3_key(bad), std::invalid_argument);
    }

    auto one = [](const char* key) {
        return s3_event::parse(with(amazon_put, "/Records/0/s3/object/key"_json_pointer, key))
            .records.at(0)
            .key;
    };
    CHECK(one("2026%2F11%2Fsales+report+%28final%29.csv") == "2026/11/sales report (final).csv");
    CHECK(one("%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82.txt") == "привет.txt");
    CHECK(error_of([&] { one("bad%zzkey"); }) ==
          "Records[0].s3.object.key: malformed %-escape in 'bad%zzkey'");
}

TEST_CASE("MinIO's variant: s3: prefix dropped, no region, empty objects without size or eTag") {
    const auto event = s3_event::parse(json::parse(minio_webhook));
    REQUIRE(event.records.size() == 2);
    const s3_record& photo = event.records[0];
    CHECK(photo.event_version == "2.0");
    CHECK(photo.event_source == "minio:s3");
    CHECK(photo.event_name == "ObjectCreated:Put");
    CHECK(photo.region.empty());
    CHECK(photo.bucket_name == "images");
    CHECK(photo.key == "holiday photos/beach.jpg");
    CHECK(photo.size == 248682);
    CHECK(photo.etag == "f1671feacb8bbf7b0397c6e9364e8c92");
    CHECK_FALSE(photo.version_id.has_value());

    const s3_record& empty = event.records[1];
    CHECK(empty.key == "empty.txt");
    CHECK(empty.size == 0);
    CHECK(empty.etag.empty());
    CHECK(empty.sequencer == "1879A8F7D8E0B6C6");

    // MinIO's ListenBucketNotification stream sends keys raw: '+' and '%' are the key's own.
    json stream = with(minio_webhook, "/Records/0/s3/object/key"_json_pointer, "a+b%2B/c d.csv");
    CHECK(s3_event::parse(stream, s3_key_encoding::raw).records[0].key == "a+b%2B/c d.csv");
    // ... and its keep-alive line has no records.
    CHECK(s3_event::parse(json::parse(R"({"Records":null})")).records.empty());
}

TEST_CASE("S3 delete events and quoted ETags") {
    json doc = json::parse(amazon_put);
    doc["Records"][0]["eventName"] = "ObjectRemoved:Delete";
    doc["Records"][0]["s3"]["object"] = {
        {"key", "old/report.csv"}, {"versionId", nullptr}, {"sequencer", "0055AED6DCD90281E6"}};
    const s3_record r = s3_event::parse(doc).records.at(0);
    CHECK(r.event_name == "ObjectRemoved:Delete");
    CHECK(r.key == "old/report.csv");
    CHECK(r.size == 0);
    CHECK(r.etag.empty());
    CHECK_FALSE(r.version_id.has_value());

    auto quoted = with(amazon_put, "/Records/0/s3/object/eTag"_json_pointer, "\"abc-2\"");
    CHECK(s3_event::parse(quoted).records[0].etag == "abc-2");
}

TEST_CASE("a malformed S3 notification names the field") {
    using p = json::json_pointer;
    CHECK(error_of([] { s3_event::parse(json::array()); }) ==
          "event: must be a JSON object with a Records list");
    CHECK(error_of([] { s3_event::parse(json::object()); }) == "Records: missing");
    CHECK(error_of([] { s3_event::parse(json::parse(R"({"Records":{"a":1}})")); }) ==
          "Records: must be a list");
    CHECK(error_of([] { s3_event::parse(json::parse(R"({"Records":[1]})")); }) ==
          "Records[0]: must be an object");
    CHECK(error_of([] { s3_event::parse(without(amazon_put, p("/Records/0/s3/bucket/name"))); }) ==
          "Records[0].s3.bucket.name: missing");
    CHECK(error_of([] { s3_event::parse(without(amazon_put, p("/Records/0/s3/object/key"))); }) ==
          "Records[0].s3.object.key: missing");
    CHECK(error_of([] { s3_event::parse(without(amazon_put, p("/Records/0/s3"))); }) ==
          "Records[0].s3: missing");
    CHECK(error_of([] { s3_event::parse(without(amazon_put, p("/Records/0/eventName"))); }) ==
          "Records[0].eventName: missing");
    // eventTime may be left out (hand-written test events do): it reads as empty.
    CHECK(s3_event::parse(without(amazon_put, p("/Records/0/eventTime"))).records.at(0).event_time ==
          "");
    CHECK(error_of([] { s3_event::parse(with(amazon_put, p("/Records/0/s3/object/size"), -1)); }) ==
          "Records[0].s3.object.size: must be a non-negative integer");
    CHECK(error_of([] {
              s3_event::parse(with(amazon_put, p("/Records/0/s3/object/size"), "12"));
          }) == "Records[0].s3.object.size: must be a non-negative integer");
    CHECK(error_of([] { s3_event::parse(with(amazon_put, p("/Records/0/s3/object/key"), 7)); }) ==
          "Records[0].s3.object.key: must be a string");
    CHECK(error_of([] { s3_event::parse(with(amazon_put, p("/Records/0/s3/bucket"), "raw")); }) ==
          "Records[0].s3.bucket: must be an object");
    CHECK(error_of([] { s3_event::parse(without(amazon_put, p("/Records/0/eventSource"))); }) ==
          "Records[0].eventSource: missing");
    CHECK(error_of([] { s3_event::parse(json::parse(sqs_batch)); }) ==
          "Records[0].eventSource: 'aws:sqs' is not an S3 event source (aws:s3 or minio:s3)");

    // The index is the failing record's.
    json two = json::parse(amazon_put);
    two["Records"].push_back(two["Records"][0]);
    two["Records"][1]["s3"]["object"].erase("key");
    CHECK(error_of([&] { s3_event::parse(two); }) == "Records[1].s3.object.key: missing");
}

TEST_CASE("Lambda's SQS event is read field by field, binary attributes decoded") {
    const auto event = sqs_event::parse(json::parse(sqs_batch));
    REQUIRE(event.records.size() == 2);
    const sqs_record& m = event.records[0];
    CHECK(m.message_id == "059f36b4-87a3-44ab-83d2-661975830a7d");
    CHECK(m.receipt_handle.starts_with("AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a"));
    CHECK(m.body == R"({"object": "raw/2026/11/trips.csv"})");
    CHECK(m.attributes.size() == 4);
    CHECK(m.attributes.at("ApproximateReceiveCount") == "1");
    CHECK(m.attributes.at("SentTimestamp") == "1545082649183");
    CHECK(m.attributes.at("SenderId") == "AIDAIENQZJOLO23YVJ4VO");
    CHECK(m.attributes.at("ApproximateFirstReceiveTimestamp") == "1545082649185");
    REQUIRE(m.message_attributes.size() == 3);
    CHECK(m.message_attributes.at("tenant").data_type == "String");
    CHECK(m.message_attributes.at("tenant").string_value == "t-42");
    CHECK(m.message_attributes.at("tenant").binary_value.empty());
    CHECK(m.message_attributes.at("thumbnail").data_type == "Binary");
    CHECK(m.message_attributes.at("thumbnail").binary_value == std::string("\x00\xff\x01\x02", 4));
    CHECK(m.message_attributes.at("thumbnail").string_value.empty());
    CHECK(m.message_attributes.at("attempt").data_type == "Number.int");
    CHECK(m.message_attributes.at("attempt").string_value == "3");
    CHECK(m.md5_of_body == "e4e68fb7bd0e697a0ae8f1bb342846b3");
    CHECK(m.md5_of_message_attributes == "8f8a3ecb23c2ba0ab4bd7c8b5e3d4b19");
    CHECK(m.event_source == "aws:sqs");
    CHECK(m.event_source_arn == "arn:aws:sqs:us-east-2:123456789012:jobs");
    CHECK(m.aws_region == "us-east-2");

    const sqs_record& fifo = event.records[1];
    CHECK(fifo.body == "second");
    CHECK(fifo.attributes.at("MessageGroupId") == "orders");
    CHECK(fifo.attributes.at("MessageDeduplicationId") == "d-1");
    CHECK(fifo.attributes.at("SequenceNumber") == "18849496460467696128");
    CHECK(fifo.message_attributes.empty());
    CHECK(fifo.md5_of_message_attributes.empty());
    CHECK(fifo.event_source_arn.ends_with("jobs.fifo"));
}

TEST_CASE("binary attribute values: every padding, and the empty value") {
    auto binary = [](const char* base64) {
        json doc = json::parse(sqs_batch);
        doc["Records"][0]["messageAttributes"]["thumbnail"]["binaryValue"] = base64;
        return sqs_event::parse(doc).records[0].message_attributes.at("thumbnail").binary_value;
    };
    CHECK(binary("aGVsbG8=") == "hello");
    CHECK(binary("aGVsbG8h") == "hello!");
    CHECK(binary("aGk=") == "hi");
    CHECK(binary("aA==") == "h");
    CHECK(binary("") == "");
    for (const char* bad : {"aGVsbG8", "aGV$bG8=", "a===", "aG=k", "=AAA", "aGk=aGk="}) {
        CAPTURE(bad);
        CHECK(error_of([&] { binary(bad); }) ==
              "Records[0].messageAttributes.thumbnail.binaryValue: not base64");
    }
}

TEST_CASE("a malformed SQS event names the field") {
    using p = json::json_pointer;
    CHECK(error_of([] { sqs_event::parse(without(sqs_batch, p("/Records/0/messageId"))); }) ==
          "Records[0].messageId: missing");
    CHECK(error_of([] { sqs_event::parse(without(sqs_batch, p("/Records/1/receiptHandle"))); }) ==
          "Records[1].receiptHandle: missing");
    CHECK(error_of([] {
              sqs_event::parse(with(sqs_batch, p("/Records/0/body"), json::object()));
          }) == "Records[0].body: must be a string");
    CHECK(error_of([] {
              sqs_event::parse(with(sqs_batch, p("/Records/0/attributes/SentTimestamp"), 17));
          }) == "Records[0].attributes.SentTimestamp: must be a string");
    CHECK(error_of([] {
              sqs_event::parse(with(sqs_batch, p("/Records/0/attributes"), json::array()));
          }) == "Records[0].attributes: must be an object");
    CHECK(error_of([] {
              sqs_event::parse(
                  without(sqs_batch, p("/Records/0/messageAttributes/tenant/dataType")));
          }) == "Records[0].messageAttributes.tenant.dataType: missing");
    CHECK(error_of([] { sqs_event::parse(json::parse(amazon_put)); }) ==
          "Records[0].eventSource: 'aws:s3' is not aws:sqs");
    CHECK(error_of([] {
              sqs_event::parse(json{{"records", json::array()}});
          }) == "Records: missing");
    // A hand-made test event may leave out what a handler does not read.
    const auto minimal = sqs_event::parse(
        json::parse(R"({"Records":[{"messageId":"m1","receiptHandle":"r1","body":"b"}]})"));
    CHECK(minimal.records.at(0).message_id == "m1");
    CHECK(minimal.records.at(0).attributes.empty());
    CHECK(minimal.records.at(0).event_source_arn.empty());
}

TEST_CASE("the SQS partial batch response lists each failed message once") {
    sqs_batch_response none;
    CHECK(none.to_json() == json::parse(R"({"batchItemFailures":[]})"));

    sqs_batch_response r;
    r.add_failure("2e1424d4-f796-459a-8184-9c92662be6da");
    r.add_failure("059f36b4-87a3-44ab-83d2-661975830a7d");
    r.add_failure("2e1424d4-f796-459a-8184-9c92662be6da");
    CHECK(r.failures().size() == 2);
    CHECK(r.to_json() == json::parse(R"({"batchItemFailures":[
        {"itemIdentifier":"2e1424d4-f796-459a-8184-9c92662be6da"},
        {"itemIdentifier":"059f36b4-87a3-44ab-83d2-661975830a7d"}]})"));
    CHECK_THROWS_AS(r.add_failure(""), std::invalid_argument);

    // A handler may return it as it is.
    json converted = r;
    CHECK(converted == r.to_json());
    auto handler = [](const json& event, const lambdaport::context&) {
        sqs_batch_response failed;
        for (const auto& m : sqs_event::parse(event).records) {
            if (m.body == "second") {
                failed.add_failure(m.message_id);
            }
        }
        return failed;
    };
    static_assert(lambdaport::json_handler<decltype(handler)>);
    const lambdaport::context ctx({.request_id = "req-1"}, {});
    auto response = lambdaport::detail::invoke(handler, sqs_batch, ctx);
    CHECK(response.is_success());
    CHECK(json::parse(response.payload()) ==
          json::parse(R"({"batchItemFailures":[)"
                      R"({"itemIdentifier":"2e1424d4-f796-459a-8184-9c92662be6da"}]})"));
}

TEST_CASE("EventBridge's Scheduled Event is read field by field") {
    const auto e = scheduled_event::parse(json::parse(scheduled));
    CHECK(e.version == "0");
    CHECK(e.id == "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa");
    CHECK(e.detail_type == "Scheduled Event");
    CHECK(e.source == "aws.events");
    CHECK(e.account == "123456789012");
    CHECK(e.time == "2026-11-23T20:15:00Z");
    CHECK(e.region == "us-east-1");
    CHECK(e.resources ==
          std::vector<std::string>{"arn:aws:events:us-east-1:123456789012:rule/nightly"});
    CHECK(e.detail == json::object());

    // Other EventBridge events carry a detail object: kept as JSON.
    auto detailed = with(scheduled, "/detail"_json_pointer, {{"run", "nightly"}, {"n", 3}});
    CHECK(scheduled_event::parse(detailed).detail["run"] == "nightly");
}

TEST_CASE("a malformed scheduled event names the field") {
    using p = json::json_pointer;
    CHECK(error_of([] { scheduled_event::parse(json::array()); }) ==
          "event: must be a JSON object");
    CHECK(error_of([] { scheduled_event::parse(without(scheduled, p("/id"))); }) == "id: missing");
    CHECK(error_of([] { scheduled_event::parse(without(scheduled, p("/detail-type"))); }) ==
          "detail-type: missing");
    CHECK(error_of([] { scheduled_event::parse(with(scheduled, p("/time"), 1700000000)); }) ==
          "time: must be a string");
    CHECK(error_of([] { scheduled_event::parse(with(scheduled, p("/resources"), "arn")); }) ==
          "resources: must be a list");
    CHECK(error_of([] {
              scheduled_event::parse(with(scheduled, p("/resources"), json::array({"a", 2})));
          }) == "resources[1]: must be a string");
    CHECK(error_of([] { scheduled_event::parse(json::parse(sqs_batch)); }) == "id: missing");
}
