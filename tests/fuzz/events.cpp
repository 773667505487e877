// Events as JSON, both sides of them. The SDK's typed events (events::kind_of, s3_event::parse
// with either key encoding, sqs_event::parse, scheduled_event::parse, an sqs_batch_response built
// from what was read), as a handler decodes its payload; and the engine's bucket and queue sources
// (sources::parse_notification_record and parse_pushed_notification → make_s3_notification → the
// payload the function gets; sources::read_batch_response on a function's answer,
// hold_back_groups). The documented error of every parser is std::invalid_argument; anything else
// escaping is a finding.

#include <lambdaport/events.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "sources/s3_event.hpp"
#include "sources/sqs_event.hpp"
#include "util/json_dump.hpp"

namespace {

namespace fuzz = lambdaport::fuzz;
namespace events = lambdaport::events;
namespace sources = lambdaport::runtime::sources;
using json = nlohmann::json;

const std::vector<lambdaport::sqs::message>& batch() {
    static const std::vector<lambdaport::sqs::message> b = [] {
        std::vector<lambdaport::sqs::message> out(3);
        const char* ids[] = {"m1", "m2", "m3"};
        const char* groups[] = {"g1", "g2", "g1"};
        for (std::size_t i = 0; i < out.size(); ++i) {
            out[i].message_id = ids[i];
            out[i].receipt_handle = std::string("rh-") + ids[i];
            out[i].body = "{}";
            out[i].attributes["MessageGroupId"] = groups[i];
        }
        return out;
    }();
    return b;
}

void sdk_side(const json& doc) {
    events::kind_of(doc);
    for (auto keys : {events::s3_key_encoding::form, events::s3_key_encoding::raw}) {
        try {
            for (const auto& r : events::s3_event::parse(doc, keys).records) {
                (void)r.key.size();
            }
        } catch (const std::invalid_argument&) {
        }
    }
    try {
        events::sqs_batch_response failed;
        for (const auto& m : events::sqs_event::parse(doc).records) {
            failed.add_failure(m.message_id);
        }
        failed.to_json().dump();
    } catch (const std::invalid_argument&) {
    }
    try {
        events::scheduled_event::parse(doc);
    } catch (const std::invalid_argument&) {
    }
}

void engine_side(const json& doc, std::string_view text) {
    if (doc.is_object() && doc.contains("Records") && doc["Records"].is_array()) {
        std::size_t n = 0;
        for (const auto& record : doc["Records"]) {
            if (++n > 4) {
                break;
            }
            for (auto keys :
                 {sources::key_encoding::raw, sources::key_encoding::query_escape,
                  sources::key_encoding::as_pushed}) {
                try {
                    auto event = sources::parse_notification_record(record, keys);
                    // What the bucket source hands to the function: a payload it dumps.
                    sources::make_s3_notification(event, "us-east-1", "fuzz").dump();
                } catch (const std::invalid_argument&) {
                }
            }
        }
    }
    // What a storage server may POST to the notification endpoint: the raw text, as it arrives.
    try {
        for (const auto& event : sources::parse_pushed_notification(text, 4)) {
            lambdaport::runtime::util::dump_json(
                sources::make_s3_notification(event, "us-east-1", "fuzz"));
        }
    } catch (const std::invalid_argument&) {
    }
    auto outcome = sources::read_batch_response(text, batch());
    std::set<std::string> failed(outcome.failed_ids.begin(), outcome.failed_ids.end());
    sources::hold_back_groups(batch(), failed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto text = fuzz::as_text(data, size);
    auto doc = json::parse(text, nullptr, false);
    if (!doc.is_discarded()) {
        sdk_side(doc);
    }
    engine_side(doc, text);
    return 0;
}
