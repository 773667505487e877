#pragma once

// Amazon SQS (or any server speaking its AWS JSON 1.0 protocol: moto, fauxqs, ElasticMQ, ...)
// for handlers and for the engine's queue event source. The endpoint comes from the environment
// alone, as in the AWS SDKs, so the same code runs against a local stand-in and inside Lambda.
//
//     #include <lambdaport/sqs.hpp>
//     auto sqs = lambdaport::sqs::client::from_environment();
//     auto url = sqs.queue_url("jobs");
//     sqs.send(url, R"({"object": "raw/2026/11/trips.csv"})");
//     for (auto& m : sqs.receive(url, {.max_messages = 10, .wait_time_seconds = 20})) { ... }
//
// Link `lambdaport::sqs` (it brings libcurl); a handler that only links `lambdaport::sdk` loads
// no libcurl at all.

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lambdaport::sqs {

/// A failed SQS call.
class sqs_error : public std::runtime_error {
  public:
    sqs_error(std::string code, int http_status, const std::string& message,
              std::string query_code = {});

    /// The error's name as the JSON protocol gives it, without its namespace: "QueueDoesNotExist",
    /// "ReceiptHandleIsInvalid", "InvalidParameterValue", "AccessDenied",
    /// "InvalidClientTokenId", "SignatureDoesNotMatch", ... Ours: "NetworkError" (status 0, no
    /// answer after every try), "InvalidResponse" (an answer that could not be understood, or a
    /// message whose body does not match its MD5).
    const std::string& code() const noexcept;
    /// The query protocol's older code from `x-amzn-query-error` when the server sent one, e.g.
    /// "AWS.SimpleQueueService.NonExistentQueue"; else empty.
    const std::string& query_code() const noexcept;
    /// The HTTP status of the answer, 0 when there was none.
    int http_status() const noexcept;

  private:
    struct details;
    std::shared_ptr<const details> details_;  // shared: copying an exception never throws
};

/// A message attribute: `data_type` "String", "Number" or "Binary" (optionally with a custom
/// suffix, "Number.int"); `value` is the string, or the raw bytes of a binary value.
struct message_attribute {
    std::string data_type = "String";
    std::string value;
};

/// One received message.
struct message {
    std::string message_id;
    std::string receipt_handle;
    std::string body;
    /// As SQS sends them (hex MD5); the body's is checked on receipt.
    std::string md5_of_body;
    std::string md5_of_message_attributes;
    /// System attributes, all as strings: ApproximateReceiveCount, SentTimestamp, SenderId,
    /// ApproximateFirstReceiveTimestamp, and for FIFO queues MessageGroupId,
    /// MessageDeduplicationId, SequenceNumber; AWSTraceHeader when set.
    std::map<std::string, std::string> attributes;
    std::map<std::string, message_attribute> message_attributes;
};

/// One ReceiveMessage call.
struct receive_options {
    /// 1 to 10.
    int max_messages = 10;
    /// 0 to 20: how long the server may hold the call open waiting for a message (long polling).
    int wait_time_seconds = 20;
    /// How long received messages stay hidden from other receivers; none = the queue's own.
    std::optional<int> visibility_timeout;
    /// FIFO queues: the same id on a retried call returns the same messages.
    std::string receive_request_attempt_id;
    /// When set and it becomes true, a waiting call returns within about a second with no
    /// messages (messages the server had already handed out reappear after their visibility
    /// timeout). For callers that must stop promptly.
    const std::atomic<bool>* interrupt = nullptr;
};

/// How to send one message.
struct send_options {
    /// 0 to 900 seconds; none = the queue's delay.
    std::optional<int> delay_seconds;
    /// FIFO queues: required; order is kept per group.
    std::string message_group_id;
    /// FIFO queues without content-based deduplication: required.
    std::string deduplication_id;
    std::map<std::string, message_attribute> attributes;
};

/// One entry of a batch call: `id` is the caller's, unique within the batch.
struct send_entry {
    std::string id;
    std::string body;
    send_options options;
};

/// A message to delete, or whose visibility to change: `id` is the caller's.
struct receipt {
    std::string id;
    std::string receipt_handle;
};

/// The outcome of a batch call: ids that succeeded, and the ones that did not with SQS's reason.
struct batch_result {
    struct failure {
        std::string id;
        std::string code;
        std::string message;
        bool sender_fault = false;
    };
    std::vector<std::string> successful;
    std::vector<failure> failed;
};

/// Where the client sends requests and as whom.
struct settings {
    /// e.g. "http://127.0.0.1:9324"; empty = Amazon SQS in `region`
    /// (https://sqs.<region>.amazonaws.com).
    std::string endpoint;
    std::string region = "us-east-1";
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;
    /// Tries per call (first included) on 5xx, throttling and dropped connections.
    int max_attempts = 5;

    /// AWS_ENDPOINT_URL_SQS (else AWS_ENDPOINT_URL), AWS_REGION (else AWS_DEFAULT_REGION, else
    /// us-east-1), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN.
    static settings from_environment();
};

/// A connection to one SQS endpoint. Cheap to copy (copies share connections); safe to use from
/// several threads at once. Every call throws `sqs_error` on failure. Requests are signed with
/// SigV4 (service `sqs`) when an access key is set; connections are kept alive and reused.
class client {
  public:
    /// @throws std::invalid_argument for a malformed endpoint or region.
    explicit client(const settings& s);
    /// `client(settings::from_environment())`.
    static client from_environment();

    /// "sqs http://127.0.0.1:9324" or "sqs https://sqs.eu-west-1.amazonaws.com", for logs.
    std::string describe() const;

    /// The URL of a queue given by name, by URL (returned as it is) or by ARN
    /// (arn:aws:sqs:<region>:<account>:<name>). GetQueueUrl; "QueueDoesNotExist" if there is none.
    std::string queue_url(const std::string& queue) const;
    /// Creates a queue (or finds the existing one with the same attributes); returns its URL.
    /// `attributes`: VisibilityTimeout, FifoQueue, RedrivePolicy, ... as SQS names them.
    std::string create_queue(const std::string& name,
                             const std::map<std::string, std::string>& attributes = {}) const;
    /// The queue's attributes (`names` empty = All), e.g. VisibilityTimeout, QueueArn,
    /// ApproximateNumberOfMessages, FifoQueue, RedrivePolicy.
    std::map<std::string, std::string> queue_attributes(
        const std::string& queue_url, const std::vector<std::string>& names = {}) const;
    void set_queue_attributes(const std::string& queue_url,
                              const std::map<std::string, std::string>& attributes) const;

    /// Sends one message; returns its message id.
    std::string send(const std::string& queue_url, std::string_view body,
                     const send_options& options = {}) const;
    /// Sends up to 10 messages in one call.
    batch_result send_batch(const std::string& queue_url,
                            const std::vector<send_entry>& entries) const;
    /// Receives up to `max_messages` messages (none when the wait ends empty).
    std::vector<message> receive(const std::string& queue_url,
                                 const receive_options& options = {}) const;
    /// Deletes one received message.
    void remove(const std::string& queue_url, const std::string& receipt_handle) const;
    /// Deletes up to 10 received messages in one call.
    batch_result remove_batch(const std::string& queue_url,
                              const std::vector<receipt>& receipts) const;
    /// Hides received messages for `seconds` (0 to 43,200) from now; 0 makes them visible again.
    batch_result change_visibility_batch(const std::string& queue_url,
                                         const std::vector<receipt>& receipts, int seconds) const;

    /// One call by its action name ("ListQueues", "PurgeQueue", ...) with a JSON request body;
    /// returns the JSON answer's text. For what the typed calls above do not cover.
    std::string call(std::string_view action, const std::string& json_body) const;

  private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace lambdaport::sqs
