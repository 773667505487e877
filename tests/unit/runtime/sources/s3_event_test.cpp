#include "sources/s3_event.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>

using namespace lambdaport::runtime::sources;
using json = nlohmann::json;

namespace {

std::chrono::system_clock::time_point at(std::time_t seconds, int millis = 0) {
    return std::chrono::system_clock::from_time_t(seconds) + std::chrono::milliseconds{millis};
}

}  // namespace

TEST_CASE("keys are form-encoded as S3 encodes them in notifications") {
    CHECK(form_encode_key("photos/2026/a.jpg") == "photos/2026/a.jpg");
    CHECK(form_encode_key("my file+1.csv") == "my+file%2B1.csv");
    CHECK(form_encode_key("a=b&c?d#e%f") == "a%3Db%26c%3Fd%23e%25f");
    CHECK(form_encode_key("été/日本") == "%C3%A9t%C3%A9/%E6%97%A5%E6%9C%AC");
    CHECK(form_encode_key("x-y_z.*~") == "x-y_z.*%7E");
}

TEST_CASE("a record has the shape S3 sends to Lambda") {
    object_event e;
    e.bucket = "raw";
    e.key = "in/trips 2026.csv";
    e.size = 1234;
    e.etag = "\"0123456789abcdef0123456789abcdef\"";
    e.time = at(1795464900, 123);  // 2026-11-23T20:15:00.123Z
    json n = make_s3_notification(e, "eu-west-1", "clean-raw");
    REQUIRE(n["Records"].size() == 1);
    const json& r = n["Records"][0];
    CHECK(r["eventVersion"] == "2.1");
    CHECK(r["eventSource"] == "aws:s3");
    CHECK(r["awsRegion"] == "eu-west-1");
    CHECK(r["eventTime"] == "2026-11-23T20:15:00.123Z");
    CHECK(r["eventName"] == "ObjectCreated:Put");
    CHECK(r["userIdentity"]["principalId"].is_string());
    CHECK(r["requestParameters"]["sourceIPAddress"].is_string());
    CHECK(r["responseElements"]["x-amz-request-id"].get<std::string>().size() == 16);
    const json& s3 = r["s3"];
    CHECK(s3["s3SchemaVersion"] == "1.0");
    CHECK(s3["configurationId"] == "clean-raw");
    CHECK(s3["bucket"]["name"] == "raw");
    CHECK(s3["bucket"]["arn"] == "arn:aws:s3:::raw");
    CHECK(s3["bucket"]["ownerIdentity"]["principalId"].is_string());
    CHECK(s3["object"]["key"] == "in/trips+2026.csv");
    CHECK(s3["object"]["size"] == 1234);
    CHECK(s3["object"]["eTag"] == "0123456789abcdef0123456789abcdef");
    std::string sequencer = s3["object"]["sequencer"];
    CHECK(sequencer.size() == 16);
    CHECK(sequencer.find_first_not_of("0123456789ABCDEF") == std::string::npos);

    // Later events on a key have larger sequencers, as strings.
    object_event later = e;
    later.time = e.time + std::chrono::milliseconds{1};
    CHECK(make_s3_record(later, "eu-west-1", "c")["s3"]["object"]["sequencer"].get<std::string>() >
          sequencer);
}

TEST_CASE("an Amazon record reads back to the event it was made from") {
    object_event e;
    e.bucket = "raw";
    e.key = "a b+c/été=1.csv";
    e.size = 7;
    e.etag = "abc";
    e.time = at(1795464900, 5);
    object_event back =
        parse_notification_record(make_s3_record(e, "us-east-1", "c"), key_encoding::raw);
    CHECK(back.bucket == e.bucket);
    CHECK(back.key == e.key);  // decoded, whatever the caller said about MinIO
    CHECK(back.size == 7);
    CHECK(back.etag == "abc");
    CHECK(back.event_name == "ObjectCreated:Put");
    CHECK(back.time == e.time);
}

TEST_CASE("MinIO's variant is normalised") {
    json record = json::parse(R"({
      "eventVersion": "2.0", "eventSource": "minio:s3", "awsRegion": "",
      "eventTime": "2026-11-23T20:15:00.000Z", "eventName": "s3:ObjectCreated:Put",
      "s3": {"s3SchemaVersion": "1.0", "configurationId": "Config",
             "bucket": {"name": "raw", "arn": "arn:aws:s3:::raw"},
             "object": {"key": "in/a b+c.csv", "sequencer": "17A1B2C3D4E5F607"}}})");
    object_event raw = parse_notification_record(record, key_encoding::raw);
    CHECK(raw.event_name == "ObjectCreated:Put");
    CHECK(raw.key == "in/a b+c.csv");  // the stream sends keys as they are
    CHECK(raw.size == 0);              // left out for an empty object
    CHECK(raw.etag == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(raw.sequencer == "17A1B2C3D4E5F607");
    CHECK(raw.time == at(1795464900));

    record["s3"]["object"]["key"] = "in%2Fa+b%2Bc.csv";  // a webhook: url.QueryEscape
    record["s3"]["object"]["size"] = 9;
    record["s3"]["object"]["eTag"] = "\"e\"";
    object_event escaped = parse_notification_record(record, key_encoding::query_escape);
    CHECK(escaped.key == "in/a b+c.csv");
    CHECK(escaped.size == 9);
    CHECK(escaped.etag == "e");
}

TEST_CASE("a malformed record names the field") {
    auto error_of = [](const json& record) -> std::string {
        try {
            parse_notification_record(record, key_encoding::raw);
        } catch (const std::invalid_argument& e) {
            return e.what();
        }
        return "";
    };
    json good = json::parse(R"({"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
      "eventTime": "2026-11-23T20:15:00Z",
      "s3": {"bucket": {"name": "raw"}, "object": {"key": "k%zz", "size": 1}}})");
    CHECK(error_of(good) == "Records[].s3.object.key: malformed %-escape in 'k%zz'");
    json r = good;
    r["s3"]["object"]["key"] = "k";
    CHECK(error_of(r).empty());
    r.erase("eventName");
    CHECK(error_of(r) == "Records[].eventName: missing");
    r = good;
    r["s3"]["object"]["key"] = "k";
    r["s3"]["object"]["size"] = -1;
    CHECK(error_of(r) == "Records[].s3.object.size: must be a non-negative integer");
    r["s3"]["object"].erase("size");
    r["s3"]["bucket"]["name"] = 5;
    CHECK(error_of(r) == "Records[].s3.bucket.name: must be a string");
    r = good;
    r["eventTime"] = "yesterday";
    CHECK(error_of(r) == "Records[].eventTime: not an ISO 8601 time: 'yesterday'");
}

TEST_CASE("an event time the clock cannot hold is refused, not overflowed") {
    // Found by tests/fuzz (events): UBSan saw the conversion to nanoseconds overflow.
    json record = json::parse(R"({"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
      "eventTime": "4052-11-23T20:15:00.123Z",
      "s3": {"bucket": {"name": "raw"}, "object": {"key": "k", "size": 1}}})");
    CHECK_THROWS_WITH_AS(parse_notification_record(record, key_encoding::raw),
                         "Records[].eventTime: out of range: '4052-11-23T20:15:00.123Z'",
                         std::invalid_argument);
    record["eventTime"] = "2261-12-31T23:59:59Z";
    CHECK_NOTHROW(parse_notification_record(record, key_encoding::raw));
}

TEST_CASE("pushed notifications: radosgw's raw keys, S3's and MinIO's encoded ones") {
    // As radosgw 16.2 POSTed it to an HTTP push endpoint (trimmed of metadata).
    std::string ceph = R"({"Records": [{"eventVersion": "2.2", "eventSource": "ceph:s3",
      "awsRegion": "", "eventTime": "2026-12-07T23:43:19.728766Z", "eventName": "ObjectCreated:Put",
      "s3": {"s3SchemaVersion": "1.0", "configurationId": "n1",
             "bucket": {"name": "nbkt", "arn": "arn:aws:s3:::nbkt"},
             "object": {"key": "a b+c%d.txt", "size": 5,
                        "eTag": "5d41402abc4b2a76b9719d911017c592", "sequencer": "9744176BE973992B",
                        "metadata": [], "tags": []}},
      "eventId": "1796686999.731476.5d41402abc4b2a76b9719d911017c592", "opaqueData": ""}]})";
    auto events = parse_pushed_notification(ceph);
    REQUIRE(events.size() == 1);
    CHECK(events[0].key == "a b+c%d.txt");
    CHECK(events[0].bucket == "nbkt");
    CHECK(events[0].size == 5);
    CHECK(events[0].etag == "5d41402abc4b2a76b9719d911017c592");

    // MinIO's webhook: url.QueryEscape'd keys, an "s3:" event name, extra top-level fields.
    std::string minio = R"({"EventName": "s3:ObjectCreated:Put", "Key": "raw/in/a b.csv",
      "Records": [{"eventVersion": "2.0", "eventSource": "minio:s3", "awsRegion": "",
        "eventTime": "2026-12-07T23:43:19.728Z", "eventName": "s3:ObjectCreated:Put",
        "s3": {"bucket": {"name": "raw"}, "object": {"key": "in%2Fa+b.csv", "size": 3,
                                                      "eTag": "abc", "sequencer": "1"}}},
                   {"eventVersion": "2.1", "eventSource": "aws:s3",
        "eventTime": "2026-12-07T23:43:19.728Z", "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": "raw"}, "object": {"key": "in/x%2By+z.csv", "size": 1}}}]})";
    events = parse_pushed_notification(minio);
    REQUIRE(events.size() == 2);
    CHECK(events[0].key == "in/a b.csv");
    CHECK(events[0].event_name == "ObjectCreated:Put");
    CHECK(events[1].key == "in/x+y z.csv");

    // S3 checks a new destination with a test event: no records.
    CHECK(parse_pushed_notification(R"({"Service": "Amazon S3", "Event": "s3:TestEvent",
      "Time": "2026-12-07T23:43:19.728Z", "Bucket": "raw"})")
              .empty());
    CHECK(parse_pushed_notification(R"({"Records": []})").empty());
}

TEST_CASE("a pushed notification that cannot be read says why in one line") {
    auto error_of = [](std::string_view body, std::size_t max = 1000) -> std::string {
        try {
            parse_pushed_notification(body, max);
        } catch (const std::invalid_argument& e) {
            return e.what();
        }
        return "";
    };
    CHECK(error_of("").starts_with("not JSON: "));
    CHECK(error_of("{\"Records\": [").starts_with("not JSON: "));
    CHECK(error_of(std::string(5000, '[')).find("deep") != std::string::npos);
    CHECK(error_of("[]") == "expected {\"Records\": [...]} (an S3 event notification)");
    CHECK(error_of(R"({"Records": {}})") ==
          "expected {\"Records\": [...]} (an S3 event notification)");
    CHECK(error_of(R"({"Records": [{"eventName": "ObjectCreated:Put"}, 7]})") ==
          "Records[0].eventTime: missing");
    CHECK(error_of(R"({"Records": [1, 2, 3]})", 2) == "Records: 3 records, more than 2");
}
