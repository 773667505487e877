// The SQS client: each call is one POST of a JSON document to the endpoint's root, named by
// `X-Amz-Target: AmazonSQS.<Action>`, signed with SigV4 for service `sqs`, on pooled keep-alive
// connections, tried again with backoff on throttling, 5xx and dropped connections.

#include <optional>
#include <thread>

#include "aws/curl_pool.hpp"
#include "aws/digest.hpp"
#include "aws/environment.hpp"
#include "aws/transfer.hpp"
#include "lambdaport/sqs.hpp"
#include "sqs/protocol.hpp"

namespace lambdaport::sqs {

namespace aws = ::lambdaport::detail::aws;
using detail::json;

// --- sqs_error

struct sqs_error::details {
    std::string code;
    std::string query_code;
    int http_status;
};

sqs_error::sqs_error(std::string code, int http_status, const std::string& message,
                     std::string query_code)
    : std::runtime_error(message),
      details_(std::make_shared<const details>(
          details{std::move(code), std::move(query_code), http_status})) {}

const std::string& sqs_error::code() const noexcept {
    return details_->code;
}

const std::string& sqs_error::query_code() const noexcept {
    return details_->query_code;
}

int sqs_error::http_status() const noexcept {
    return details_->http_status;
}

// --- settings

settings settings::from_environment() {
    return aws::settings_from_environment<settings>("AWS_ENDPOINT_URL_SQS");
}

// --- client

struct client::impl {
    std::string endpoint;  // no trailing slash
    int max_attempts;
    aws::signing signing;
    aws::session_pool pool;

    // One call; nullopt when `interrupt` stopped it.
    std::optional<std::string> call(std::string_view action, const std::string& body,
                                    const std::atomic<bool>* interrupt = nullptr);
};

std::optional<std::string> client::impl::call(std::string_view action, const std::string& body,
                                              const std::atomic<bool>* interrupt) {
    aws::request req;
    req.method = "POST";
    req.url = endpoint + "/";
    req.headers = {"Content-Type: application/x-amz-json-1.0",
                   "X-Amz-Target: AmazonSQS." + std::string(action)};
    req.body = aws::body_source::memory(body);
    req.interrupt = interrupt;
    if (signing.enabled) {
        req.payload_sha256 = aws::sha256_hex(body);
    }
    aws::session_pool::lease lease = pool.acquire();
    CURL* easy = lease->easy(0);
    aws::transfer t(signing, req);
    for (int attempt = 1;; ++attempt) {
        t.prepare(easy);
        t.finish(lease->run(easy));
        const bool last = attempt >= max_attempts;
        if (t.code() == CURLE_ABORTED_BY_CALLBACK && interrupt && interrupt->load()) {
            return std::nullopt;
        }
        if (t.code() != CURLE_OK) {
            if (!aws::retryable_transport(t.code()) || last) {
                throw sqs_error("NetworkError", 0,
                                "SQS " + std::string(action) + " to " + endpoint + ": " +
                                    t.curl_error() +
                                    (attempt > 1 ? " (after " + std::to_string(attempt) + " tries)"
                                                 : std::string()));
            }
        } else {
            const aws::response& answer = t.answer();
            if (answer.status >= 200 && answer.status < 300) {
                return std::move(t.answer().body);
            }
            auto error = detail::parse_error(answer.status, answer.body, answer.amzn_headers);
            if (last || !detail::retryable(answer.status, error.code())) {
                throw error;
            }
        }
        std::this_thread::sleep_for(aws::backoff(attempt));
    }
}

client::client(const settings& s) : impl_(std::make_shared<impl>()) {
    if (!aws::valid_region(s.region)) {
        throw std::invalid_argument("sqs region '" + s.region +
                                    "': expected a region name such as eu-west-1");
    }
    if (s.max_attempts < 1) {
        throw std::invalid_argument("sqs settings.max_attempts: must be at least 1");
    }
    std::string endpoint =
        s.endpoint.empty() ? "https://sqs." + s.region + ".amazonaws.com" : s.endpoint;
    const bool scheme = endpoint.starts_with("http://") || endpoint.starts_with("https://");
    const auto host_start = endpoint.find("//") + 2;
    if (!scheme || host_start >= endpoint.size()) {
        throw std::invalid_argument("sqs endpoint '" + endpoint +
                                    "': expected http(s)://host[:port]");
    }
    while (endpoint.size() > host_start && endpoint.back() == '/') {
        endpoint.pop_back();
    }
    impl_->endpoint = std::move(endpoint);
    impl_->max_attempts = s.max_attempts;
    if (!s.access_key_id.empty()) {
        impl_->signing.enabled = true;
        impl_->signing.sigv4 = "aws:amz:" + s.region + ":sqs";
        impl_->signing.access_key_id = s.access_key_id;
        impl_->signing.secret_access_key = s.secret_access_key;
        impl_->signing.session_token = s.session_token;
    }
}

client client::from_environment() {
    return client(settings::from_environment());
}

std::string client::describe() const {
    return "sqs " + impl_->endpoint;
}

std::string client::call(std::string_view action, const std::string& json_body) const {
    return *impl_->call(action, json_body);
}

namespace {

json answer_of(std::string_view action, const std::string& text) {
    auto doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !(doc.is_object() || doc.is_null())) {
        throw sqs_error("InvalidResponse", 200,
                        "SQS " + std::string(action) + " answer is not a JSON object");
    }
    return doc.is_null() ? json::object() : doc;
}

std::string required_string(std::string_view action, const json& doc, const char* field) {
    if (!doc.contains(field) || !doc[field].is_string()) {
        throw sqs_error("InvalidResponse", 200,
                        "SQS " + std::string(action) + " answer has no " + field);
    }
    return doc[field].get<std::string>();
}

void check_batch_size(std::size_t n) {
    if (n == 0 || n > 10) {
        throw std::invalid_argument("an SQS batch holds 1 to 10 entries, got " + std::to_string(n));
    }
}

}  // namespace

std::string client::queue_url(const std::string& queue) const {
    if (queue.starts_with("http://") || queue.starts_with("https://")) {
        return queue;
    }
    json request;
    if (queue.starts_with("arn:")) {
        auto [name, account] = detail::parse_queue_arn(queue);
        if (name.empty()) {
            throw std::invalid_argument("'" + queue +
                                        "' is not an SQS queue ARN "
                                        "(arn:aws:sqs:<region>:<account>:<name>)");
        }
        request = {{"QueueName", name}, {"QueueOwnerAWSAccountId", account}};
    } else {
        request = {{"QueueName", queue}};
    }
    auto doc = answer_of("GetQueueUrl", call("GetQueueUrl", request.dump()));
    return required_string("GetQueueUrl", doc, "QueueUrl");
}

std::string client::create_queue(const std::string& name,
                                 const std::map<std::string, std::string>& attributes) const {
    json request{{"QueueName", name}};
    if (!attributes.empty()) {
        request["Attributes"] = attributes;
    }
    auto doc = answer_of("CreateQueue", call("CreateQueue", request.dump()));
    return required_string("CreateQueue", doc, "QueueUrl");
}

std::map<std::string, std::string> client::queue_attributes(
    const std::string& queue_url, const std::vector<std::string>& names) const {
    json request{{"QueueUrl", queue_url},
                 {"AttributeNames", names.empty() ? std::vector<std::string>{"All"} : names}};
    auto doc = answer_of("GetQueueAttributes", call("GetQueueAttributes", request.dump()));
    std::map<std::string, std::string> out;
    if (auto it = doc.find("Attributes"); it != doc.end() && it->is_object()) {
        for (const auto& [name, value] : it->items()) {
            out[name] = value.is_string() ? value.get<std::string>() : value.dump();
        }
    }
    return out;
}

void client::set_queue_attributes(const std::string& queue_url,
                                  const std::map<std::string, std::string>& attributes) const {
    json request{{"QueueUrl", queue_url}, {"Attributes", attributes}};
    call("SetQueueAttributes", request.dump());
}

std::string client::send(const std::string& queue_url, std::string_view body,
                         const send_options& options) const {
    json request = detail::send_fields(body, options);
    request["QueueUrl"] = queue_url;
    auto doc = answer_of("SendMessage", call("SendMessage", request.dump()));
    return required_string("SendMessage", doc, "MessageId");
}

batch_result client::send_batch(const std::string& queue_url,
                                const std::vector<send_entry>& entries) const {
    check_batch_size(entries.size());
    json list = json::array();
    for (const auto& e : entries) {
        json entry = detail::send_fields(e.body, e.options);
        entry["Id"] = e.id;
        list.push_back(std::move(entry));
    }
    json request{{"QueueUrl", queue_url}, {"Entries", std::move(list)}};
    return detail::parse_batch_result(call("SendMessageBatch", request.dump()));
}

std::vector<message> client::receive(const std::string& queue_url,
                                     const receive_options& options) const {
    auto request = detail::receive_request(queue_url, options);
    auto answer = impl_->call("ReceiveMessage", request.dump(), options.interrupt);
    if (!answer) {
        return {};
    }
    return detail::parse_messages(*answer);
}

void client::remove(const std::string& queue_url, const std::string& receipt_handle) const {
    json request{{"QueueUrl", queue_url}, {"ReceiptHandle", receipt_handle}};
    call("DeleteMessage", request.dump());
}

batch_result client::remove_batch(const std::string& queue_url,
                                  const std::vector<receipt>& receipts) const {
    check_batch_size(receipts.size());
    json list = json::array();
    for (const auto& r : receipts) {
        list.push_back({{"Id", r.id}, {"ReceiptHandle", r.receipt_handle}});
    }
    json request{{"QueueUrl", queue_url}, {"Entries", std::move(list)}};
    return detail::parse_batch_result(call("DeleteMessageBatch", request.dump()));
}

batch_result client::change_visibility_batch(const std::string& queue_url,
                                             const std::vector<receipt>& receipts,
                                             int seconds) const {
    check_batch_size(receipts.size());
    if (seconds < 0 || seconds > 43'200) {
        throw std::invalid_argument("a visibility timeout is 0 to 43200 seconds, got " +
                                    std::to_string(seconds));
    }
    json list = json::array();
    for (const auto& r : receipts) {
        list.push_back(
            {{"Id", r.id}, {"ReceiptHandle", r.receipt_handle}, {"VisibilityTimeout", seconds}});
    }
    json request{{"QueueUrl", queue_url}, {"Entries", std::move(list)}};
    return detail::parse_batch_result(call("ChangeMessageVisibilityBatch", request.dump()));
}

}  // namespace lambdaport::sqs
