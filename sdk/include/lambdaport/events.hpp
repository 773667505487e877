#pragma once

// Typed views of the events Lambda's event sources send (and lambdaport's, which send the same):
// S3 notifications, SQS batches and EventBridge's Scheduled Events, plus the SQS partial batch
// response. Part of `lambdaport::sdk`: nothing here needs libcurl.
//
//     #include <lambdaport/events.hpp>
//     namespace events = lambdaport::events;
//     return lambdaport::run([](const nlohmann::json& event, const lambdaport::context&) {
//         switch (events::kind_of(event)) {
//             case events::event_kind::s3:
//                 for (const auto& r : events::s3_event::parse(event).records) {
//                     process(r.bucket_name, r.key);  // the key decoded
//                 }
//                 return nlohmann::json{{"ok", true}};
//             case events::event_kind::sqs: {
//                 events::sqs_batch_response failed;
//                 for (const auto& m : events::sqs_event::parse(event).records) {
//                     if (!handle(m.body)) {
//                         failed.add_failure(m.message_id);
//                     }
//                 }
//                 return failed.to_json();
//             }
//             default:
//                 return nlohmann::json{{"ignored", true}};
//         }
//     });
//
// Every type here is a plain value: copy it, move it, read it from any number of threads.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lambdaport::events {

/// Which kind of event a payload is.
enum class event_kind {
    s3,         ///< `{"Records": [...]}` with eventSource "aws:s3" (Amazon) or "minio:s3" (MinIO)
    sqs,        ///< `{"Records": [...]}` with eventSource "aws:sqs"
    scheduled,  ///< EventBridge: source "aws.events", detail-type "Scheduled Event"
    other       ///< anything else (a direct invoke's own JSON, an empty Records list, ...)
};

/// Tells which kind of event `payload` is, from the first record's `eventSource` or from the
/// EventBridge `source` and `detail-type`. Looks at nothing else, so a malformed event of a known
/// kind is still reported as that kind (its `parse` then says what is wrong).
/// @param payload  the event as the handler received it
/// Never throws.
event_kind kind_of(const nlohmann::json& payload) noexcept;

/// "s3", "sqs", "scheduled" or "other", for logs.
std::string_view to_string(event_kind kind) noexcept;

// --- S3 ------------------------------------------------------------------------------------------

/// How the object keys of an S3 notification are written.
enum class s3_key_encoding {
    /// Form URL encoding: `+` is a space, then `%XX` escapes. What Amazon S3 sends, what MinIO's
    /// webhook targets send (Go's url.QueryEscape), and what lambdaport's bucket source sends.
    form,
    /// The key as is: MinIO's ListenBucketNotification stream.
    raw
};

/// One record of an S3 event notification.
struct s3_record {
    std::string event_version;  ///< "2.1" (Amazon), "2.0" (MinIO)
    std::string event_source;   ///< "aws:s3" or "minio:s3"
    std::string region;         ///< awsRegion; empty when absent (MinIO without a region)
    std::string event_time;  ///< eventTime as sent (ISO 8601, "2026-11-23T20:15:00.123Z"); may be empty
    /// eventName without MinIO's `s3:` prefix, e.g. "ObjectCreated:Put", "ObjectRemoved:Delete".
    std::string event_name;
    std::string configuration_id;  ///< s3.configurationId, the notification's id; may be empty
    std::string bucket_name;       ///< s3.bucket.name
    std::string bucket_arn;        ///< s3.bucket.arn, e.g. "arn:aws:s3:::raw"; may be empty
    std::string key;               ///< s3.object.key, decoded (see `s3_key_encoding`)
    /// s3.object.size; 0 when absent (delete events; MinIO leaves it out for empty objects).
    std::uint64_t size = 0;
    /// s3.object.eTag without quotes; empty when absent (delete events; MinIO's empty objects).
    std::string etag;
    std::string sequencer;                  ///< s3.object.sequencer (hex); may be empty
    std::optional<std::string> version_id;  ///< s3.object.versionId, when present and not empty
};

/// An S3 event notification: `{"Records": [...]}`.
struct s3_event {
    std::vector<s3_record> records;

    /// Reads a notification as Amazon S3 or MinIO sends it. `{"Records": null}` (MinIO's
    /// keep-alive) has no records.
    /// @param payload  the event
    /// @param keys     how the object keys are written; Amazon's form encoding unless the records
    ///                 come from MinIO's ListenBucketNotification stream
    /// @throws std::invalid_argument naming the field that is missing or malformed, e.g.
    ///         "Records[0].s3.object.key: malformed %-escape in 'a%zz'"
    static s3_event parse(const nlohmann::json& payload,
                          s3_key_encoding keys = s3_key_encoding::form);
};

/// Decodes an S3 notification key with form rules: every `+` becomes a space, then each `%XX`
/// becomes its byte ("my+file%2B1.csv" → "my file+1.csv").
/// @throws std::invalid_argument when a `%` is not followed by two hex digits
std::string decode_s3_key(std::string_view encoded);

// --- SQS -----------------------------------------------------------------------------------------

/// A message attribute as Lambda's SQS records carry it.
struct sqs_message_attribute {
    /// "String", "Number" or "Binary", optionally with a custom suffix ("Number.int").
    std::string data_type;
    std::string string_value;  ///< stringValue; empty for a binary attribute
    std::string binary_value;  ///< binaryValue's bytes, base64-decoded; empty for the others
};

/// One message of an SQS batch.
struct sqs_record {
    std::string message_id;      ///< messageId: what `sqs_batch_response::add_failure` takes
    std::string receipt_handle;  ///< receiptHandle
    std::string body;            ///< body
    /// attributes: ApproximateReceiveCount, SentTimestamp, SenderId,
    /// ApproximateFirstReceiveTimestamp, and for FIFO queues MessageGroupId,
    /// MessageDeduplicationId, SequenceNumber; all strings, as Lambda sends them.
    std::map<std::string, std::string> attributes;
    std::map<std::string, sqs_message_attribute> message_attributes;  ///< messageAttributes
    std::string md5_of_body;                ///< md5OfBody (hex); may be empty
    std::string md5_of_message_attributes;  ///< md5OfMessageAttributes; empty when absent
    std::string event_source;               ///< "aws:sqs"
    std::string event_source_arn;  ///< eventSourceARN, e.g. "arn:aws:sqs:us-east-1:1234:jobs"
    std::string aws_region;        ///< awsRegion
};

/// A batch of SQS messages: `{"Records": [...]}`.
struct sqs_event {
    std::vector<sqs_record> records;

    /// Reads Lambda's SQS event. messageId, receiptHandle and body are required; the other
    /// fields, when present, must have their types.
    /// @throws std::invalid_argument naming the field that is missing or malformed, e.g.
    ///         "Records[1].messageAttributes.photo.binaryValue: not base64"
    static sqs_event parse(const nlohmann::json& payload);
};

/// The partial batch response of an SQS handler: which messages failed, so that only they come
/// back (honoured when the event source mapping has ReportBatchItemFailures).
class sqs_batch_response {
  public:
    /// Marks a message as failed. Adding the same id twice lists it once.
    /// @param message_id  the record's `message_id`; Lambda fails the whole batch when an id is
    ///                    not one of the batch's
    /// @throws std::invalid_argument for an empty id
    void add_failure(std::string message_id);

    /// The failed ids, in the order they were first added.
    const std::vector<std::string>& failures() const noexcept { return failures_; }

    /// `{"batchItemFailures": [{"itemIdentifier": "<id>"}, ...]}`; an empty list when nothing
    /// failed (the whole batch succeeded).
    nlohmann::json to_json() const;

  private:
    std::vector<std::string> failures_;
};

/// Lets a handler return an `sqs_batch_response` directly (nlohmann/json's conversion hook).
void to_json(nlohmann::json& out, const sqs_batch_response& response);

// --- EventBridge ---------------------------------------------------------------------------------

/// An EventBridge event, such as the Scheduled Event a schedule rule sends.
struct scheduled_event {
    std::string version;      ///< "0"
    std::string id;           ///< a UUID, unique per event
    std::string detail_type;  ///< detail-type: "Scheduled Event"
    std::string source;       ///< "aws.events"
    std::string account;      ///< the rule's account id
    std::string time;         ///< as sent, ISO 8601 in UTC, e.g. "2026-11-23T20:15:00Z"
    std::string region;       ///< the rule's region
    /// The rule's ARN(s), e.g. "arn:aws:events:us-east-1:123456789012:rule/nightly".
    std::vector<std::string> resources;
    nlohmann::json detail = nlohmann::json::object();  ///< detail: `{}` for a schedule

    /// Reads an EventBridge event: id, detail-type, source, account, time and region are
    /// required strings, resources a list of strings; version and detail may be absent (detail
    /// nests at most 1,000 levels, as every event `run` gives a handler).
    /// @throws std::invalid_argument naming the field that is missing or malformed
    static scheduled_event parse(const nlohmann::json& payload);
};

}  // namespace lambdaport::events
