#include "sources/sqs_event.hpp"

#include "util/json.hpp"
#include "util/text.hpp"

namespace lambdaport::runtime::sources {

using json = nlohmann::json;

namespace {

// Lambda's form of a message attribute: every key present, the lists empty.
json lambda_attribute(const sqs::message_attribute& a) {
    json v{{"stringListValues", json::array()},
           {"binaryListValues", json::array()},
           {"dataType", a.data_type}};
    if (a.data_type.starts_with("Binary")) {
        v["binaryValue"] = util::base64_encode(a.value);
    } else {
        v["stringValue"] = a.value;
    }
    return v;
}

batch_outcome whole_batch(std::string reason) {
    batch_outcome out;
    out.all_failed = true;
    out.reason = std::move(reason);
    return out;
}

}  // namespace

json make_sqs_record(const sqs::message& m, const std::string& queue_arn,
                     const std::string& region) {
    json attributes = json::object();
    for (const auto& [name, value] : m.attributes) {
        attributes[name] = value;
    }
    json message_attributes = json::object();
    for (const auto& [name, a] : m.message_attributes) {
        message_attributes[name] = lambda_attribute(a);
    }
    json r{{"messageId", m.message_id},
           {"receiptHandle", m.receipt_handle},
           {"body", m.body},
           {"attributes", std::move(attributes)},
           {"messageAttributes", std::move(message_attributes)},
           {"md5OfBody", m.md5_of_body}};
    if (!m.md5_of_message_attributes.empty()) {
        r["md5OfMessageAttributes"] = m.md5_of_message_attributes;
    }
    r["eventSource"] = "aws:sqs";
    r["eventSourceARN"] = queue_arn;
    r["awsRegion"] = region;
    return r;
}

json make_sqs_event(const std::vector<sqs::message>& batch, const std::string& queue_arn,
                    const std::string& region) {
    json records = json::array();
    for (const auto& m : batch) {
        records.push_back(make_sqs_record(m, queue_arn, region));
    }
    return {{"Records", std::move(records)}};
}

batch_outcome read_batch_response(std::string_view answer, const std::vector<sqs::message>& batch) {
    batch_outcome out;
    if (answer.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return out;
    }
    util::json_problem problem;
    auto parsed = util::parse_json(answer, {}, &problem);
    if (!parsed) {
        return whole_batch(problem.what == util::json_problem::kind::too_deep
                               ? "the answer is " + problem.reason
                               : "the answer is not JSON");
    }
    const json& doc = *parsed;
    if (doc.is_null()) {
        return out;
    }
    if (!doc.is_object()) {
        return whole_batch("the answer is not a JSON object");
    }
    auto it = doc.find("batchItemFailures");
    if (it == doc.end() || it->is_null()) {
        return out;
    }
    if (!it->is_array()) {
        return whole_batch("batchItemFailures is not a list");
    }
    std::set<std::string_view> ids;
    for (const auto& m : batch) {
        ids.insert(m.message_id);
    }
    std::set<std::string> failed;
    for (const auto& entry : *it) {
        if (!entry.is_object()) {
            return whole_batch("an entry of batchItemFailures is not an object");
        }
        auto id = entry.find("itemIdentifier");
        if (id == entry.end() || id->is_null()) {
            return whole_batch("an entry of batchItemFailures has no itemIdentifier");
        }
        if (!id->is_string() || id->get_ref<const std::string&>().empty()) {
            return whole_batch("an itemIdentifier is not a non-empty string");
        }
        const auto& text = id->get_ref<const std::string&>();
        if (!ids.contains(text)) {
            return whole_batch("itemIdentifier '" + text + "' is not a message of the batch");
        }
        if (failed.insert(text).second) {
            out.failed_ids.push_back(text);
        }
    }
    return out;
}

void hold_back_groups(const std::vector<sqs::message>& batch, std::set<std::string>& failed) {
    std::set<std::string> blocked;
    for (const auto& m : batch) {
        auto group = m.attributes.find("MessageGroupId");
        const std::string g = group == m.attributes.end() ? std::string() : group->second;
        if (failed.contains(m.message_id)) {
            blocked.insert(g);
        } else if (blocked.contains(g)) {
            failed.insert(m.message_id);
        }
    }
}

std::string arn_region(std::string_view arn) {
    std::size_t start = 0;
    for (int field = 0; field < 3; ++field) {
        start = arn.find(':', start);
        if (start == std::string_view::npos) {
            return {};
        }
        ++start;
    }
    auto end = arn.find(':', start);
    return end == std::string_view::npos ? std::string()
                                         : std::string(arn.substr(start, end - start));
}

}  // namespace lambdaport::runtime::sources
