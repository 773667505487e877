#include "lambdaport/events.hpp"

#include <algorithm>
#include <stdexcept>

#include "json_reader.hpp"

namespace lambdaport::events {

namespace {

using json = nlohmann::json;

// The field being read, for error messages: "Records[3].s3.object.key".
std::string path(const std::string& where, std::string_view name) {
    return where.empty() ? std::string(name) : where + "." + std::string(name);
}

[[noreturn]] void fail(const std::string& field, std::string_view why) {
    throw std::invalid_argument(field + ": " + std::string(why));
}

const json& required(const json& object, const char* name, const std::string& where) {
    auto it = object.find(name);
    if (it == object.end() || it->is_null()) {
        fail(path(where, name), "missing");
    }
    return *it;
}

const json& required_object(const json& object, const char* name, const std::string& where) {
    const json& value = required(object, name, where);
    if (!value.is_object()) {
        fail(path(where, name), "must be an object");
    }
    return value;
}

std::string required_string(const json& object, const char* name, const std::string& where) {
    const json& value = required(object, name, where);
    if (!value.is_string()) {
        fail(path(where, name), "must be a string");
    }
    return value.get<std::string>();
}

// Absent and null read as empty; anything but a string is malformed.
std::string optional_string(const json& object, const char* name, const std::string& where) {
    auto it = object.find(name);
    if (it == object.end() || it->is_null()) {
        return {};
    }
    if (!it->is_string()) {
        fail(path(where, name), "must be a string");
    }
    return it->get<std::string>();
}

// The "Records" list of an S3 or SQS event; null reads as empty.
const json& records_of(const json& payload) {
    static const json none = json::array();
    if (!payload.is_object()) {
        fail("event", "must be a JSON object with a Records list");
    }
    auto it = payload.find("Records");
    if (it == payload.end()) {
        fail("Records", "missing");
    }
    if (it->is_null()) {
        return none;
    }
    if (!it->is_array()) {
        fail("Records", "must be a list");
    }
    return *it;
}

std::string record_path(std::size_t index) {
    return "Records[" + std::to_string(index) + "]";
}

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Standard padded base64 (RFC 4648), strictly: what Lambda writes for binary attributes.
std::optional<std::string> base64_decode(std::string_view text) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        if (c == '+') {
            return 62;
        }
        if (c == '/') {
            return 63;
        }
        return -1;
    };
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=') {
        padding = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
    }
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        std::uint32_t group = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            const char c = text[i + j];
            int v = 0;
            if (c == '=') {
                if (!last || j < 4 - padding) {
                    return std::nullopt;
                }
            } else if ((v = value(c)) < 0) {
                return std::nullopt;
            }
            group = (group << 6) | std::uint32_t(v);
        }
        const std::size_t bytes = last ? 3 - padding : 3;
        for (std::size_t j = 0; j < bytes; ++j) {
            out.push_back(char((group >> (16 - 8 * j)) & 0xff));
        }
    }
    return out;
}

s3_record parse_s3_record(const json& record, const std::string& where, s3_key_encoding keys) {
    if (!record.is_object()) {
        fail(where, "must be an object");
    }
    s3_record r;
    r.event_source = required_string(record, "eventSource", where);
    if (r.event_source != "aws:s3" && r.event_source != "minio:s3") {
        fail(path(where, "eventSource"),
             "'" + r.event_source + "' is not an S3 event source (aws:s3 or minio:s3)");
    }
    r.event_version = optional_string(record, "eventVersion", where);
    r.region = optional_string(record, "awsRegion", where);
    r.event_time = optional_string(record, "eventTime", where);  // hand-made test events skip it
    r.event_name = required_string(record, "eventName", where);
    if (r.event_name.starts_with("s3:")) {
        r.event_name.erase(0, 3);  // MinIO: "s3:ObjectCreated:Put"
    }

    const std::string s3_where = path(where, "s3");
    const json& s3 = required_object(record, "s3", where);
    r.configuration_id = optional_string(s3, "configurationId", s3_where);
    const std::string bucket_where = path(s3_where, "bucket");
    const json& bucket = required_object(s3, "bucket", s3_where);
    r.bucket_name = required_string(bucket, "name", bucket_where);
    r.bucket_arn = optional_string(bucket, "arn", bucket_where);

    const std::string object_where = path(s3_where, "object");
    const json& object = required_object(s3, "object", s3_where);
    const std::string key = required_string(object, "key", object_where);
    if (keys == s3_key_encoding::form) {
        try {
            r.key = decode_s3_key(key);
        } catch (const std::invalid_argument& e) {
            fail(path(object_where, "key"), e.what());
        }
    } else {
        r.key = key;
    }
    if (auto size = object.find("size"); size != object.end() && !size->is_null()) {
        if (!size->is_number_unsigned() &&
            !(size->is_number_integer() && size->get<std::int64_t>() >= 0)) {
            fail(path(object_where, "size"), "must be a non-negative integer");
        }
        r.size = size->get<std::uint64_t>();
    }
    r.etag = optional_string(object, "eTag", object_where);
    if (r.etag.size() >= 2 && r.etag.front() == '"' && r.etag.back() == '"') {
        r.etag = r.etag.substr(1, r.etag.size() - 2);
    }
    r.sequencer = optional_string(object, "sequencer", object_where);
    if (auto version = optional_string(object, "versionId", object_where); !version.empty()) {
        r.version_id = std::move(version);
    }
    return r;
}

sqs_message_attribute parse_sqs_attribute(const json& value, const std::string& where) {
    if (!value.is_object()) {
        fail(where, "must be an object");
    }
    sqs_message_attribute a;
    a.data_type = required_string(value, "dataType", where);
    a.string_value = optional_string(value, "stringValue", where);
    const std::string binary = optional_string(value, "binaryValue", where);
    if (!binary.empty()) {
        auto bytes = base64_decode(binary);
        if (!bytes) {
            fail(path(where, "binaryValue"), "not base64");
        }
        a.binary_value = std::move(*bytes);
    }
    return a;
}

sqs_record parse_sqs_record(const json& record, const std::string& where) {
    if (!record.is_object()) {
        fail(where, "must be an object");
    }
    sqs_record r;
    r.event_source = optional_string(record, "eventSource", where);
    if (!r.event_source.empty() && r.event_source != "aws:sqs") {
        fail(path(where, "eventSource"), "'" + r.event_source + "' is not aws:sqs");
    }
    r.message_id = required_string(record, "messageId", where);
    r.receipt_handle = required_string(record, "receiptHandle", where);
    r.body = required_string(record, "body", where);
    r.md5_of_body = optional_string(record, "md5OfBody", where);
    r.md5_of_message_attributes = optional_string(record, "md5OfMessageAttributes", where);
    r.event_source_arn = optional_string(record, "eventSourceARN", where);
    r.aws_region = optional_string(record, "awsRegion", where);

    if (auto it = record.find("attributes"); it != record.end() && !it->is_null()) {
        const std::string attributes_where = path(where, "attributes");
        if (!it->is_object()) {
            fail(attributes_where, "must be an object");
        }
        for (const auto& [name, value] : it->items()) {
            if (!value.is_string()) {
                fail(path(attributes_where, name), "must be a string");
            }
            r.attributes.emplace(name, value.get<std::string>());
        }
    }
    if (auto it = record.find("messageAttributes"); it != record.end() && !it->is_null()) {
        const std::string attributes_where = path(where, "messageAttributes");
        if (!it->is_object()) {
            fail(attributes_where, "must be an object");
        }
        for (const auto& [name, value] : it->items()) {
            r.message_attributes.emplace(name,
                                         parse_sqs_attribute(value, path(attributes_where, name)));
        }
    }
    return r;
}

bool string_equals(const json& object, const char* name, std::string_view expected) noexcept {
    auto it = object.find(name);
    return it != object.end() && it->is_string() && it->get_ref<const std::string&>() == expected;
}

}  // namespace

event_kind kind_of(const json& payload) noexcept {
    if (!payload.is_object()) {
        return event_kind::other;
    }
    if (auto records = payload.find("Records");
        records != payload.end() && records->is_array() && !records->empty()) {
        const json& first = records->front();
        if (first.is_object()) {
            if (string_equals(first, "eventSource", "aws:s3") ||
                string_equals(first, "eventSource", "minio:s3")) {
                return event_kind::s3;
            }
            if (string_equals(first, "eventSource", "aws:sqs")) {
                return event_kind::sqs;
            }
        }
        return event_kind::other;
    }
    if (string_equals(payload, "source", "aws.events") &&
        string_equals(payload, "detail-type", "Scheduled Event")) {
        return event_kind::scheduled;
    }
    return event_kind::other;
}

std::string_view to_string(event_kind kind) noexcept {
    switch (kind) {
        case event_kind::s3:
            return "s3";
        case event_kind::sqs:
            return "sqs";
        case event_kind::scheduled:
            return "scheduled";
        case event_kind::other:
            break;
    }
    return "other";
}

std::string decode_s3_key(std::string_view encoded) {
    std::string out;
    out.reserve(encoded.size());
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        const char c = encoded[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c != '%') {
            out.push_back(c);
        } else {
            const int high = i + 2 < encoded.size() ? hex_digit(encoded[i + 1]) : -1;
            const int low = high >= 0 ? hex_digit(encoded[i + 2]) : -1;
            if (low < 0) {
                throw std::invalid_argument("malformed %-escape in '" + std::string(encoded) + "'");
            }
            out.push_back(char(high * 16 + low));
            i += 2;
        }
    }
    return out;
}

s3_event s3_event::parse(const json& payload, s3_key_encoding keys) {
    const json& records = records_of(payload);
    s3_event event;
    event.records.reserve(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        event.records.push_back(parse_s3_record(records[i], record_path(i), keys));
    }
    return event;
}

sqs_event sqs_event::parse(const json& payload) {
    const json& records = records_of(payload);
    sqs_event event;
    event.records.reserve(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        event.records.push_back(parse_sqs_record(records[i], record_path(i)));
    }
    return event;
}

void sqs_batch_response::add_failure(std::string message_id) {
    if (message_id.empty()) {
        throw std::invalid_argument(
            "sqs_batch_response::add_failure: the message id is empty (Lambda would fail the "
            "whole batch)");
    }
    if (std::find(failures_.begin(), failures_.end(), message_id) == failures_.end()) {
        failures_.push_back(std::move(message_id));
    }
}

json sqs_batch_response::to_json() const {
    json list = json::array();
    for (const auto& id : failures_) {
        list.push_back({{"itemIdentifier", id}});
    }
    return {{"batchItemFailures", std::move(list)}};
}

void to_json(json& out, const sqs_batch_response& response) {
    out = response.to_json();
}

scheduled_event scheduled_event::parse(const json& payload) {
    if (!payload.is_object()) {
        fail("event", "must be a JSON object");
    }
    const std::string where;
    scheduled_event e;
    e.version = optional_string(payload, "version", where);
    e.id = required_string(payload, "id", where);
    e.detail_type = required_string(payload, "detail-type", where);
    e.source = required_string(payload, "source", where);
    e.account = required_string(payload, "account", where);
    e.time = required_string(payload, "time", where);
    e.region = required_string(payload, "region", where);
    if (auto it = payload.find("resources"); it != payload.end() && !it->is_null()) {
        if (!it->is_array()) {
            fail("resources", "must be a list");
        }
        for (std::size_t i = 0; i < it->size(); ++i) {
            if (!(*it)[i].is_string()) {
                fail("resources[" + std::to_string(i) + "]", "must be a string");
            }
            e.resources.push_back((*it)[i].get<std::string>());
        }
    }
    if (auto it = payload.find("detail"); it != payload.end() && !it->is_null()) {
        // Copying recurses once per level: an event that did not come through `run` may be
        // deeper than the stack allows.
        if (lambdaport::detail::nests_deeper_than(*it, lambdaport::detail::max_event_depth)) {
            fail("detail", "nested more than " +
                               std::to_string(lambdaport::detail::max_event_depth) +
                               " levels deep");
        }
        e.detail = *it;
    }
    return e;
}

}  // namespace lambdaport::events
