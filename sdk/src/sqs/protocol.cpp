#include "sqs/protocol.hpp"

#include <stdexcept>

#include "aws/digest.hpp"

namespace lambdaport::sqs::detail {

namespace {

namespace aws = ::lambdaport::detail::aws;

sqs_error invalid_response(const std::string& what) {
    return sqs_error("InvalidResponse", 200, "SQS answer not understood: " + what);
}

std::string string_field(const json& object, const char* name) {
    auto it = object.find(name);
    if (it == object.end() || it->is_null()) {
        return {};
    }
    if (!it->is_string()) {
        throw invalid_response(std::string(name) + " is not a string");
    }
    return it->get<std::string>();
}

json parse_object(std::string_view answer, const char* call) {
    auto doc = json::parse(answer, nullptr, false);
    if (doc.is_discarded() || !(doc.is_object() || doc.is_null())) {
        throw invalid_response(std::string(call) + " answer is not a JSON object");
    }
    return doc.is_null() ? json::object() : doc;
}

void check_range(const char* what, int value, int min, int max) {
    if (value < min || value > max) {
        throw std::invalid_argument(std::string(what) + " must be between " + std::to_string(min) +
                                    " and " + std::to_string(max) + ", got " +
                                    std::to_string(value));
    }
}

json attribute_value(const message_attribute& a) {
    json v{{"DataType", a.data_type}};
    if (a.data_type.starts_with("Binary")) {
        v["BinaryValue"] = aws::base64_encode(a.value);
    } else {
        v["StringValue"] = a.value;
    }
    return v;
}

message_attribute parse_attribute(const std::string& name, const json& v) {
    if (!v.is_object()) {
        throw invalid_response("message attribute " + name + " is not an object");
    }
    message_attribute a;
    a.data_type = string_field(v, "DataType");
    if (v.contains("BinaryValue") && !v["BinaryValue"].is_null()) {
        auto bytes = aws::base64_decode(string_field(v, "BinaryValue"));
        if (!bytes) {
            throw invalid_response("message attribute " + name + " has invalid base64");
        }
        a.value = std::move(*bytes);
    } else {
        a.value = string_field(v, "StringValue");
    }
    return a;
}

// A few servers capitalise the message field of an error differently.
std::string error_message(const json& doc) {
    for (const char* key : {"message", "Message", "errorMessage"}) {
        if (doc.contains(key) && doc[key].is_string()) {
            return doc[key].get<std::string>();
        }
    }
    return {};
}

std::string xml_element(std::string_view body, std::string_view name) {
    const std::string open = "<" + std::string(name) + ">";
    const std::string close = "</" + std::string(name) + ">";
    auto start = body.find(open);
    if (start == std::string_view::npos) {
        return {};
    }
    start += open.size();
    auto end = body.find(close, start);
    return end == std::string_view::npos ? std::string()
                                         : std::string(body.substr(start, end - start));
}

std::string code_for_status(long status) {
    switch (status) {
        case 400:
            return "InvalidParameterValue";
        case 403:
            return "AccessDenied";
        case 404:
            return "QueueDoesNotExist";
        case 413:
            return "RequestEntityTooLarge";
        case 429:
            return "ThrottlingException";
        default:
            return status >= 500 ? "InternalFailure" : "HTTP" + std::to_string(status);
    }
}

}  // namespace

json receive_request(const std::string& queue_url, const receive_options& options) {
    check_range("receive_options.max_messages", options.max_messages, 1, 10);
    check_range("receive_options.wait_time_seconds", options.wait_time_seconds, 0, 20);
    json r{{"QueueUrl", queue_url},
           {"MaxNumberOfMessages", options.max_messages},
           {"WaitTimeSeconds", options.wait_time_seconds},
           // Both names: older servers know only AttributeNames, newer AWS prefers the second.
           {"AttributeNames", {"All"}},
           {"MessageSystemAttributeNames", {"All"}},
           {"MessageAttributeNames", {"All"}}};
    if (options.visibility_timeout) {
        check_range("receive_options.visibility_timeout", *options.visibility_timeout, 0, 43'200);
        r["VisibilityTimeout"] = *options.visibility_timeout;
    }
    if (!options.receive_request_attempt_id.empty()) {
        r["ReceiveRequestAttemptId"] = options.receive_request_attempt_id;
    }
    return r;
}

json send_fields(std::string_view body, const send_options& options) {
    if (body.empty()) {
        throw std::invalid_argument("an SQS message body cannot be empty");
    }
    json r{{"MessageBody", body}};
    if (options.delay_seconds) {
        check_range("send_options.delay_seconds", *options.delay_seconds, 0, 900);
        r["DelaySeconds"] = *options.delay_seconds;
    }
    if (!options.message_group_id.empty()) {
        r["MessageGroupId"] = options.message_group_id;
    }
    if (!options.deduplication_id.empty()) {
        r["MessageDeduplicationId"] = options.deduplication_id;
    }
    if (!options.attributes.empty()) {
        json attributes = json::object();
        for (const auto& [name, a] : options.attributes) {
            attributes[name] = attribute_value(a);
        }
        r["MessageAttributes"] = std::move(attributes);
    }
    return r;
}

std::vector<message> parse_messages(std::string_view answer) {
    auto doc = parse_object(answer, "ReceiveMessage");
    std::vector<message> out;
    auto it = doc.find("Messages");
    if (it == doc.end() || it->is_null()) {
        return out;
    }
    if (!it->is_array()) {
        throw invalid_response("Messages is not an array");
    }
    for (const auto& m : *it) {
        if (!m.is_object()) {
            throw invalid_response("a message is not an object");
        }
        message msg;
        msg.message_id = string_field(m, "MessageId");
        msg.receipt_handle = string_field(m, "ReceiptHandle");
        msg.body = string_field(m, "Body");
        msg.md5_of_body = string_field(m, "MD5OfBody");
        msg.md5_of_message_attributes = string_field(m, "MD5OfMessageAttributes");
        if (msg.message_id.empty() || msg.receipt_handle.empty()) {
            throw invalid_response("a message has no MessageId or ReceiptHandle");
        }
        if (!msg.md5_of_body.empty() && aws::md5_hex(msg.body) != msg.md5_of_body) {
            throw sqs_error("InvalidResponse", 200,
                            "message " + msg.message_id + ": the body does not match its MD5 " +
                                msg.md5_of_body);
        }
        if (auto a = m.find("Attributes"); a != m.end() && a->is_object()) {
            for (const auto& [name, value] : a->items()) {
                msg.attributes[name] = value.is_string() ? value.get<std::string>() : value.dump();
            }
        }
        if (auto a = m.find("MessageAttributes"); a != m.end() && a->is_object()) {
            for (const auto& [name, value] : a->items()) {
                msg.message_attributes[name] = parse_attribute(name, value);
            }
        }
        out.push_back(std::move(msg));
    }
    return out;
}

batch_result parse_batch_result(std::string_view answer) {
    auto doc = parse_object(answer, "batch");
    batch_result out;
    if (auto it = doc.find("Successful"); it != doc.end() && it->is_array()) {
        for (const auto& s : *it) {
            out.successful.push_back(string_field(s, "Id"));
        }
    }
    if (auto it = doc.find("Failed"); it != doc.end() && it->is_array()) {
        for (const auto& f : *it) {
            batch_result::failure failure;
            failure.id = string_field(f, "Id");
            failure.code = string_field(f, "Code");
            failure.message = string_field(f, "Message");
            failure.sender_fault = f.contains("SenderFault") && f["SenderFault"].is_boolean() &&
                                   f["SenderFault"].get<bool>();
            out.failed.push_back(std::move(failure));
        }
    }
    return out;
}

sqs_error parse_error(long status, std::string_view body,
                      const std::vector<std::pair<std::string, std::string>>& amzn_headers) {
    std::string query_code;
    for (const auto& [name, value] : amzn_headers) {
        if (name == "x-amzn-query-error") {
            query_code = value.substr(0, value.find(';'));
        }
    }
    std::string code;
    std::string text;
    auto doc = json::parse(body, nullptr, false);
    if (doc.is_object()) {
        code = doc.value("__type", doc.value("code", std::string()));
        code = code.substr(code.rfind('#') + 1);  // "com.amazonaws.sqs#QueueDoesNotExist"
        text = error_message(doc);
    } else {
        code = xml_element(body, "Code");
        text = xml_element(body, "Message");
    }
    if (code.empty()) {
        for (const auto& [name, value] : amzn_headers) {
            if (name == "x-amzn-errortype") {
                code = value.substr(0, value.find(':'));
            }
        }
    }
    if (code.empty()) {
        code = code_for_status(status);
    }
    if (text.empty()) {
        text = "HTTP " + std::to_string(status);
    }
    return sqs_error(code, int(status), code + ": " + text, query_code);
}

bool retryable(long status, std::string_view code) {
    return status >= 500 || status == 429 || code == "ThrottlingException" ||
           code == "RequestThrottled" || code == "RequestThrottledException" ||
           code == "ServiceUnavailable" || code == "InternalFailure";
}

std::pair<std::string, std::string> parse_queue_arn(std::string_view arn) {
    // arn : partition : sqs : region : account : name
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (int i = 0; i < 5; ++i) {
        auto colon = arn.find(':', start);
        if (colon == std::string_view::npos) {
            return {};
        }
        parts.push_back(arn.substr(start, colon - start));
        start = colon + 1;
    }
    auto name = arn.substr(start);
    if (parts[0] != "arn" || parts[2] != "sqs" || name.empty() ||
        name.find(':') != std::string_view::npos) {
        return {};
    }
    return {std::string(name), std::string(parts[4])};
}

}  // namespace lambdaport::sqs::detail
