#include "sources/s3_event.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "util/json.hpp"
#include "util/text.hpp"

namespace lambdaport::runtime::sources {
namespace {

using json = nlohmann::json;

constexpr std::string_view empty_md5 = "d41d8cd98f00b204e9800998ecf8427e";

std::string unquoted(std::string_view etag) {
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
        etag = etag.substr(1, etag.size() - 2);
    }
    return std::string(etag);
}

// S3's sequencers are opaque hex strings that increase for events on one key; nanoseconds since
// the epoch, zero-padded to a fixed width, keep that order and compare as strings too.
std::string sequencer_of(std::chrono::system_clock::time_point t) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    char text[17];
    std::snprintf(text, sizeof text, "%016llX", static_cast<unsigned long long>(ns));
    return text;
}

// Form decoding: `+` is a space, then %XX escapes.
std::string form_decode(std::string_view text, const std::string& field) {
    std::string spaced(text);
    for (char& c : spaced) {
        if (c == '+') {
            c = ' ';
        }
    }
    auto decoded = util::percent_decode(spaced);
    if (!decoded) {
        throw std::invalid_argument(field + ": malformed %-escape in '" + std::string(text) + "'");
    }
    return *decoded;
}

const json& member(const json& object, const char* name, const std::string& where) {
    if (!object.is_object() || !object.contains(name)) {
        throw std::invalid_argument(where + "." + name + ": missing");
    }
    return object[name];
}

std::string string_member(const json& object, const char* name, const std::string& where) {
    const json& value = member(object, name, where);
    if (!value.is_string()) {
        throw std::invalid_argument(where + "." + name + ": must be a string");
    }
    return value.get<std::string>();
}

std::chrono::system_clock::time_point parse_time(const std::string& text) {
    std::tm tm{};
    int millis = 0;
    // 2026-11-23T20:15:00.123Z, or without the fraction.
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
        throw std::invalid_argument("Records[].eventTime: not an ISO 8601 time: '" + text + "'");
    }
    if (auto dot = text.find('.'); dot != std::string::npos) {
        std::sscanf(text.c_str() + dot + 1, "%3d", &millis);
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const std::time_t seconds = timegm(&tm);
    // The clock counts nanoseconds in 64 bits (1677 to 2262): a year outside would overflow it.
    constexpr std::time_t limit = std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::duration::max())
                                      .count() -
                                  1;
    if (seconds < -limit || seconds > limit) {
        throw std::invalid_argument("Records[].eventTime: out of range: '" + text + "'");
    }
    return std::chrono::system_clock::from_time_t(seconds) + std::chrono::milliseconds{millis};
}

}  // namespace

std::string form_encode_key(std::string_view key) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(key.size());
    for (unsigned char c : key) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '*' || c == '/') {
            out.push_back(char(c));
        } else if (c == ' ') {
            out.push_back('+');
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0x0f]);
        }
    }
    return out;
}

json make_s3_record(const object_event& event, const std::string& region,
                    const std::string& configuration_id) {
    return {
        {"eventVersion", "2.1"},
        {"eventSource", "aws:s3"},
        {"awsRegion", region},
        {"eventTime", util::iso8601(event.time)},
        {"eventName", event.event_name},
        {"userIdentity", {{"principalId", "lambdaport"}}},
        {"requestParameters", {{"sourceIPAddress", "127.0.0.1"}}},
        {"responseElements",
         {{"x-amz-request-id", util::random_hex(16)}, {"x-amz-id-2", util::random_hex(64)}}},
        {"s3",
         {{"s3SchemaVersion", "1.0"},
          {"configurationId", configuration_id},
          {"bucket",
           {{"name", event.bucket},
            {"ownerIdentity", {{"principalId", "lambdaport"}}},
            {"arn", "arn:aws:s3:::" + event.bucket}}},
          {"object",
           {{"key", form_encode_key(event.key)},
            {"size", event.size},
            {"eTag", unquoted(event.etag)},
            {"sequencer", event.sequencer.empty() ? sequencer_of(event.time) : event.sequencer}}}}},
    };
}

json make_s3_notification(const object_event& event, const std::string& region,
                          const std::string& configuration_id) {
    return {{"Records", json::array({make_s3_record(event, region, configuration_id)})}};
}

object_event parse_notification_record(const json& record, key_encoding keys) {
    const std::string where = "Records[]";
    object_event e;
    e.event_name = string_member(record, "eventName", where);
    if (e.event_name.starts_with("s3:")) {
        e.event_name.erase(0, 3);  // MinIO: "s3:ObjectCreated:Put"
    }
    e.time = parse_time(string_member(record, "eventTime", where));
    const json& s3 = member(record, "s3", where);
    e.bucket = string_member(member(s3, "bucket", where + ".s3"), "name", where + ".s3.bucket");
    const json& object = member(s3, "object", where + ".s3");
    const std::string object_where = where + ".s3.object";
    std::string key = string_member(object, "key", object_where);
    // Amazon's records and MinIO's webhooks encode the key; MinIO's stream and radosgw send it
    // raw.
    const std::string source = string_member(record, "eventSource", where);
    bool encoded = source == "aws:s3" || keys == key_encoding::query_escape ||
                   (keys == key_encoding::as_pushed && source != "ceph:s3");
    e.key = encoded ? form_decode(key, object_where + ".key") : key;
    // MinIO leaves size and eTag out for an empty object.
    if (object.contains("size")) {
        const json& size = object["size"];
        if (!size.is_number_integer() || size.get<std::int64_t>() < 0) {
            throw std::invalid_argument(object_where + ".size: must be a non-negative integer");
        }
        e.size = object["size"].get<std::uint64_t>();
    }
    e.etag = object.contains("eTag") ? unquoted(string_member(object, "eTag", object_where))
                                     : std::string(e.size == 0 ? empty_md5 : "");
    if (object.contains("sequencer")) {
        e.sequencer = string_member(object, "sequencer", object_where);
    }
    return e;
}

std::vector<object_event> parse_pushed_notification(std::string_view body,
                                                    std::size_t max_records) {
    util::json_problem problem;
    auto doc = util::parse_json(body, {}, &problem);
    if (!doc) {
        throw std::invalid_argument("not JSON: " + problem.message());
    }
    std::vector<object_event> out;
    if (doc->is_object() && !doc->contains("Records") && doc->contains("Event") &&
        (*doc)["Event"] == "s3:TestEvent") {
        return out;  // S3 checks a new configuration's destination with it
    }
    if (!doc->is_object() || !doc->contains("Records") || !(*doc)["Records"].is_array()) {
        throw std::invalid_argument("expected {\"Records\": [...]} (an S3 event notification)");
    }
    const json& records = (*doc)["Records"];
    if (records.size() > max_records) {
        throw std::invalid_argument("Records: " + std::to_string(records.size()) +
                                    " records, more than " + std::to_string(max_records));
    }
    out.reserve(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        try {
            out.push_back(parse_notification_record(records[i], key_encoding::as_pushed));
        } catch (const std::invalid_argument& e) {
            std::string what = e.what();
            if (what.starts_with("Records[]")) {
                what.replace(0, 9, "Records[" + std::to_string(i) + "]");
            }
            throw std::invalid_argument(what);
        }
    }
    return out;
}

}  // namespace lambdaport::runtime::sources
