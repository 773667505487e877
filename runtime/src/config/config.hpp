#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

// The engine's configuration: parsed once at start-up into an immutable, validated value.
namespace lambdaport::runtime::config {

using std::chrono::milliseconds;

struct async_config {
    unsigned max_retry_attempts = 2;
    std::vector<milliseconds> retry_delays{milliseconds{60'000}, milliseconds{120'000}};
    std::chrono::seconds max_event_age{21'600};
    std::filesystem::path failure_destination;  // empty: <state>/failures/<function>
};

/// `"type": "s3"` — new objects in a bucket, on whatever backend the engine's storage is.
struct bucket_source_config {
    enum class mode {
        automatic,  // watch on local disk, poll on S3-compatible stores
        watch,      // local disk: inotify plus a periodic rescan
        poll,       // ListObjectsV2 (or a directory listing) every poll_interval
        push,       // S3-compatible stores: notifications POSTed to the engine by the server
                    // (radosgw, MinIO's webhook), plus a listing every rescan_interval
    };
    std::string bucket;
    std::string prefix;
    std::string suffix;
    /// Event types delivered, without the "s3:" prefix: ObjectCreated:* (all), ObjectCreated:Put,
    /// ObjectCreated:CompleteMultipartUpload (told apart by the object's ETag).
    std::vector<std::string> events{"ObjectCreated:*"};
    mode how = mode::automatic;
    milliseconds poll_interval{1'000};
    milliseconds rescan_interval{30'000};  // watch and push modes' safety net
    bool existing = true;  // deliver objects that were there before the source first started
    /// push: the URL the storage server POSTs to; empty = the engine's own address +
    /// /lambdaport/notifications/<function>/<event>.
    std::string push_endpoint;
    /// push: a secret every notification must carry (`?token=` or `Authorization: Bearer`);
    /// required when the Invoke API verifies signatures or listens beyond loopback. "env:NAME" in
    /// the file: NAME's value.
    std::string push_token;
    /// push: set the server up (radosgw: an SNS topic with the push endpoint, and the bucket's
    /// notification); false when the server is configured by hand (MinIO).
    bool configure_server = true;
};

/// `"type": "sqs"` — Lambda's SQS event source mapping.
struct sqs_source_config {
    std::string queue;  // name, URL or ARN
    unsigned batch_size = 10;
    milliseconds maximum_batching_window{0};
    bool report_batch_item_failures = false;  // FunctionResponseTypes: ["ReportBatchItemFailures"]
    unsigned maximum_concurrency = 5;         // pollers at most (ScalingConfig.MaximumConcurrency)
};

/// `"type": "schedule"` — an EventBridge rule with a rate(...) or cron(...) expression.
struct schedule_source_config {
    std::string expression;
    std::string input;  // constant JSON sent instead of the Scheduled Event (EventBridge Input)
};

/// One entry of a function's `events` object: its name (unique per function, the key of its
/// checkpoint) and what it watches.
struct event_source_config {
    enum class kind { bucket, sqs, schedule };
    std::string name;
    kind type = kind::bucket;
    bool enabled = true;
    bucket_source_config bucket;
    sqs_source_config sqs;
    schedule_source_config schedule;
};

struct function_config {
    std::string name;
    std::filesystem::path handler;  // absolute path of the executable
    std::string handler_name;       // value of _HANDLER
    milliseconds timeout{3'000};
    unsigned memory_mb = 128;
    unsigned concurrency = 10;
    unsigned keep_warm = 0;
    milliseconds idle_timeout{300'000};
    unsigned queue_size = 100;
    std::map<std::string, std::string> environment;
    async_config async;
    std::vector<event_source_config> events;
};

/// Where handlers' data lives: passed to every handler through the environment the SDK reads
/// (LAMBDAPORT_STORAGE or AWS_ENDPOINT_URL_S3), so a handler never changes between backends.
struct storage_config {
    enum class kind {
        inherit,  // not configured: handlers inherit the engine's own variables
        file,     // local disk: bucket B is the directory root/B
        s3,       // an S3-compatible endpoint, or Amazon S3 when `endpoint` is empty
    };
    kind type = kind::inherit;
    std::filesystem::path root;  // file: absolute
    std::string endpoint;        // s3: http(s)://host[:port], or empty for Amazon S3
};

/// An SQS queue a template declares: created (or brought in line) on the engine's SQS endpoint
/// at start-up.
struct queue_config {
    std::string name;
    std::string url;  // what the template's !Ref gave: <SQS endpoint>/<account>/<name>
    /// As SQS names them (VisibilityTimeout, FifoQueue, ...), without RedrivePolicy.
    std::map<std::string, std::string> attributes;
    /// RedrivePolicy's target: a queue of the same template (created first; its ARN is the one
    /// the endpoint reports), or an ARN given as it is. Both empty: no RedrivePolicy.
    std::string dead_letter_queue;
    std::string dead_letter_arn;
    unsigned max_receive_count = 0;
};

/// What a template (`lambdaport serve --template`) declares besides its functions, made at
/// start-up: its buckets on the engine's storage, its queues on the engine's SQS endpoint; and
/// its Outputs, logged.
struct stack_config {
    std::string template_file;  // empty: the configuration came from no template
    std::vector<std::string> buckets;
    std::vector<queue_config> queues;  // every dead-letter queue before the queues that use it
    std::vector<std::pair<std::string, std::string>> outputs;
};

/// Who may call the Invoke API (README: Security). Requests are verified (SigV4, service `lambda`)
/// when a credential is configured, unless `--no-auth` says otherwise.
struct auth_config {
    std::string access_key_id;  // empty: no credential configured
    std::string secret_access_key;
    std::string source;     // where the credential came from, for the start-up line
    bool disabled = false;  // --no-auth

    bool configured() const { return !access_key_id.empty(); }
    /// Whether every Invoke API request must carry a valid signature.
    bool verify() const { return configured() && !disabled; }
};

struct engine_config {
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 3001;
    std::filesystem::path state_dir = ".lambdaport";
    std::string region = "us-east-1";
    std::string account_id = "000000000000";
    unsigned async_queue_limit = 10'000;  // pending Event invocations; more get 429
    storage_config storage;
    auth_config auth;
    std::vector<function_config> functions;
    stack_config stack;

    const function_config* find(std::string_view name) const;
};

/// A configuration problem: `what()` is the one line to print, naming file, key and reason.
class config_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Parses a JSON configuration document. `source` names it in errors; relative paths are resolved
/// against `base_dir`. Throws config_error.
engine_config parse_json(std::string_view text, const std::string& source,
                         const std::filesystem::path& base_dir);

/// Reads and parses a configuration file. Throws config_error.
engine_config load_file(const std::filesystem::path& file);

/// `NAME=PATH` from `--function`: a function with default settings. Throws config_error.
function_config parse_function_flag(std::string_view flag);

/// `HOST:PORT` from `--listen` or the `engine.listen` key. Throws config_error naming `where`.
void parse_listen(std::string_view text, const std::string& where, engine_config& out);

/// `--storage` or the `storage` key as a string: `file:///abs/path`, a directory (relative to
/// `base_dir`), `s3` (Amazon S3) or an `http(s)://` S3-compatible endpoint. Throws config_error
/// naming `where`.
storage_config parse_storage(std::string_view text, const std::string& where,
                             const std::filesystem::path& base_dir);

/// Checks a credential clients sign with: a key id of 1 to 128 letters, digits, '-' or '_'; a
/// secret of 16 to 128 printable ASCII characters without blanks. Throws config_error naming
/// `where_key` or `where_secret`.
void check_credential(const auth_config& auth, const std::string& where_key,
                      const std::string& where_secret);

/// LAMBDAPORT_ACCESS_KEY_ID and LAMBDAPORT_SECRET_ACCESS_KEY (null or empty: unset): together they
/// replace engine.auth; one without the other is an error. Throws config_error.
void apply_auth_environment(engine_config& config, const char* access_key_id,
                            const char* secret_access_key);

/// Whether `host` is a loopback address: 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104. False for
/// anything that is not an IP address.
bool is_loopback(std::string_view host);

/// Refuses an Invoke API open to the network: the listen address is an IP address but not a
/// loopback one, no credential is configured, and `--no-auth` was not given. `where` names where
/// the address came from (`--listen`, `<file>: engine.listen`). Throws config_error.
void check_exposure(const engine_config& config, const std::string& where);

/// Checks what only the whole configuration can tell (at least one function, unique names).
void validate(const engine_config& config, const std::string& source);

}  // namespace lambdaport::runtime::config
