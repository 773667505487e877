#pragma once

// Event sources: what watches buckets, queues and schedules and turns what it sees into Lambda's
// events. Each source invokes through its function's dispatcher, as the Invoke API does:
// synchronously for SQS (Lambda's event source mappings wait for the answer), through the durable
// async queue for S3 and schedules (Amazon S3 and EventBridge invoke asynchronously), so retries,
// failure destinations and metrics are one code path.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "pool/invocation.hpp"
#include "util/net.hpp"

namespace lambdaport::runtime::async {
class event_queue;
}
namespace lambdaport::runtime::pool {
class function_pool;
}

namespace lambdaport::runtime::sources {

/// How a source reaches its function. Every method may be called from any thread; the blocking
/// ones must never be called on the engine's I/O thread.
class delivery {
  public:
    delivery(net::any_io_executor io, pool::function_pool& fn, async::event_queue& queue);

    /// Invokes the function as a RequestResponse call and blocks until it answered. When the
    /// engine stops first, the result has `engine_stopping` set (the event was not handled).
    pool::invocation_result invoke(std::string payload);

    /// Stores the event in the durable async queue (retries, then the failure destination) and
    /// blocks until it is stored, waiting for room while the queue is full (an event source's
    /// event is never dropped); returns its request id, or an empty string when the engine is
    /// stopping. Throws std::system_error when it cannot be stored.
    /// `source` ("<function>/<event>") tags the event so that its failures are counted for it.
    std::string enqueue(std::string payload, std::string source = {});

    /// The same without waiting, for code already on the I/O thread (schedules): nullopt when
    /// the queue is full (try again later), an empty string when the engine is stopping.
    std::optional<std::string> try_enqueue_here(std::string payload, std::string source = {});

    /// Events tagged `source` that failed every attempt (call on the I/O thread).
    std::uint64_t failed_in_queue(const std::string& source) const;

    /// From now on, invoke() and enqueue() return at once without delivering.
    void stop() noexcept { stopping_ = true; }
    bool stopping() const noexcept { return stopping_; }

    pool::function_pool& function() const noexcept { return fn_; }
    net::any_io_executor executor() const { return io_; }

    /// How long a source waits before it offers an event to a full queue again: doubling from
    /// the first to the second.
    static constexpr std::chrono::milliseconds full_backoff_min{10}, full_backoff_max{1000};

  private:
    /// false when the engine began to stop during the wait.
    bool sleep_unless_stopping(std::chrono::milliseconds how_long) const;

    net::any_io_executor io_;
    pool::function_pool& fn_;
    async::event_queue& queue_;
    std::atomic<bool> stopping_{false};
};

/// Counters every source keeps for the status output (thread-safe).
struct source_counters {
    std::atomic<std::uint64_t> delivered{0};  // events handed to the function and handled
    std::atomic<std::uint64_t> failed{0};     // events whose invocation failed
    std::atomic<std::uint64_t> backlog{0};    // seen, not yet delivered (objects, messages)
    std::atomic<std::int64_t> lag_ms{0};      // age of the oldest event at its last delivery
    std::atomic<std::uint64_t> polls{0};      // listings, receives, timer firings

    /// {"delivered", "failed", "backlog", "lag_ms", "polls"}
    nlohmann::json to_json() const;
};

/// What a source answers a storage server that POSTed notifications to it.
struct push_answer {
    unsigned status = 200;   // 200 stored; 400 malformed; 503 not stored now (send again)
    std::string error_type;  // for an error: the `Type` of the API's error shape
    std::string message;     // for an error: one line
    std::size_t stored = 0;  // events handed to the durable queue by this push
    std::size_t duplicates = 0;  // records already handed over (a re-send, or seen by a listing)
    std::size_t ignored = 0;     // records for another bucket, key or event type
};

/// One running event source. start(), request_stop(), status() and receive_push() are called on
/// the I/O thread; join() after the I/O thread has stopped.
class source {
  public:
    virtual ~source() = default;
    /// Starts watching. Throws std::runtime_error with one line naming the function, the event
    /// and the reason when the source cannot work (e.g. a queue whose visibility timeout is
    /// shorter than the function's timeout): the engine refuses to start.
    virtual void start() = 0;
    /// Asks the source to stop; must not block.
    virtual void request_stop() = 0;
    /// Waits for the source's threads, if any.
    virtual void join() {}
    /// {"function", "event", "type", ... counters, and what else the source can tell}
    virtual nlohmann::json status() const = 0;
    /// Whether the source takes pushed notifications (a bucket source in push mode).
    virtual bool takes_pushes() const { return false; }
    /// The secret a push must carry; empty: none (the Invoke API's own checks apply).
    virtual const std::string& push_token() const {
        static const std::string none;
        return none;
    }
    /// Handles one POSTed notification body without blocking: every event in it is in the durable
    /// queue (or was already handed over) before a 200 is answered.
    virtual push_answer receive_push(std::string_view body) {
        (void)body;
        return {404, "ResourceNotFoundException", "this event source takes no pushes"};
    }
};

/// What the engine hands every source when it makes it.
struct source_environment {
    std::string region;
    std::string account_id;
    std::filesystem::path state_dir;  // checkpoints go under <state>/sources/<fn>/<event>
    config::storage_config storage;   // where buckets live
    std::string sqs_endpoint;         // http(s)://… from AWS_ENDPOINT_URL_SQS/_URL, or empty
    std::string engine_url;           // http://host:port of the Invoke API, as this host reaches it
    bool loopback_only = true;        // the Invoke API listens on loopback only
    bool invoke_api_signed = false;   // the Invoke API verifies SigV4 on every request
};

}  // namespace lambdaport::runtime::sources
