#pragma once

// S3 event notification records, as Amazon S3 sends them to Lambda, built from what a bucket
// source sees (a new object on local disk, in a listing, or pushed by the storage server).

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

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

/// How the keys in notification records are encoded.
enum class key_encoding {
    raw,           // MinIO's ListenBucketNotification stream: the key as is
    query_escape,  // MinIO's webhook targets: Go's url.QueryEscape (`/` → %2F, space → +)
    as_pushed,     // records POSTed to the engine: raw from Ceph's radosgw (eventSource
                   // "ceph:s3"), form-encoded from Amazon S3 and MinIO's webhooks
};

/// Reads one record of MinIO's variant (eventVersion 2.0, eventSource "minio:s3", eventName with
/// an `s3:` prefix, size and eTag missing for empty objects), of radosgw's (eventSource "ceph:s3",
/// the key raw) or of Amazon's into an object_event. Amazon's records are always form-encoded.
/// Throws std::invalid_argument naming the field that is missing or malformed.
object_event parse_notification_record(const nlohmann::json& record, key_encoding keys);

/// What a storage server POSTed to the engine's notification endpoint: `{"Records": [...]}` (S3's
/// shape, which radosgw's HTTP push and MinIO's webhook send, extra fields tolerated), or S3's
/// `{"Event": "s3:TestEvent", ...}`, which holds no records. At most `max_records` records.
/// Throws std::invalid_argument with one line saying what is wrong (JSON that does not parse or
/// nests too deep, no Records array, a malformed record and which).
std::vector<object_event> parse_pushed_notification(std::string_view body,
                                                    std::size_t max_records = 1000);

}  // namespace lambdaport::runtime::sources
