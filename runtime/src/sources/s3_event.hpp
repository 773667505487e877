#pragma once

// S3 event notification records, as Amazon S3 sends them to Lambda, built from what a bucket
// source sees (a new object on local disk, in a listing, or on MinIO's notification stream).

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace lambdaport::runtime::sources {

/// One object event, whatever backend it came from.
struct object_event {
    std::string bucket;
    std::string key;  // raw, not encoded
    std::uint64_t size = 0;
    std::string etag;  // with or without quotes; the record carries it without
    std::string event_name = "ObjectCreated:Put";
    std::chrono::system_clock::time_point time;
    std::string sequencer;  // hex, increasing per key; made from `time` when empty
};

/// Encodes a key as S3 does in notification records: form URL encoding (a space becomes `+`,
/// bytes other than letters, digits, `-_.*/` become %XX), `/` kept.
std::string form_encode_key(std::string_view key);

/// `{"eventVersion": "2.1", "eventSource": "aws:s3", ...}`: one record of a notification.
nlohmann::json make_s3_record(const object_event& event, const std::string& region,
                              const std::string& configuration_id);

/// `{"Records": [record]}`: S3 sends one record per notification.
nlohmann::json make_s3_notification(const object_event& event, const std::string& region,
                                    const std::string& configuration_id);

/// How MinIO encoded the keys in the records it sent.
enum class minio_key_encoding {
    raw,          // ListenBucketNotification stream: the key as is
    query_escape  // webhook targets: Go's url.QueryEscape (`/` → %2F, space → +)
};

/// Reads one record of MinIO's variant (eventVersion 2.0, eventSource "minio:s3", eventName with
/// an `s3:` prefix, size and eTag missing for empty objects) — or of Amazon's — into an
/// object_event. Throws std::invalid_argument naming the field that is missing or malformed.
object_event parse_notification_record(const nlohmann::json& record, minio_key_encoding keys);

}  // namespace lambdaport::runtime::sources
