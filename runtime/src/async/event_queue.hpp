#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "util/net.hpp"

namespace lambdaport::runtime::pool {
class function_pool;
}

// Asynchronous (Event) invocations: stored on disk before they are acknowledged, run through the
// function's pool, retried on function error, and written to the failure destination when every
// attempt failed. Files are removed only once an event is finished, so an engine killed with -9
// runs what it had accepted when it starts again (at least once; duplicates are possible, as on
// Lambda).
//
// Memory holds only an index of the pending events (request id, file, attempts, acceptance time,
// source); a payload is read from its file when the event runs and dropped after the attempt. The
// queue is bounded: accept() refuses an event when `limit` events are pending.
namespace lambdaport::runtime::async {

/// An accepted event as stored in <state>/queue/<function>/<file>.json.
struct event_record {
    std::string request_id;
    std::string function;
    std::string payload;
    std::int64_t accepted_ms = 0;  // Unix epoch ms
    unsigned attempts = 0;         // attempts finished so far
    std::string source;            // "<function>/<event>" for an event source's events, else empty
};

/// The record as JSON, every field before the payload (so the index can be read without it).
std::string to_json(const event_record& record);
/// Returns false when the text is not a whole record.
bool from_json(std::string_view text, event_record& out);
/// Reads the record in `file` but not its payload (left empty), stopping at the payload when the
/// fields before it say everything. Returns false when the file is not a record.
bool read_index(const std::filesystem::path& file, event_record& out);

/// Lambda's destination record for an event that failed.
std::string destination_record(const event_record& record, const std::string& function_arn,
                               std::string_view condition, std::string_view response_payload);

class event_queue {
  public:
    /// Default of engine.async_queue_limit.
    static constexpr std::size_t default_limit = 10'000;

    event_queue(net::any_io_executor executor, std::filesystem::path state_dir,
                std::size_t limit = default_limit);

    /// Stores the event and schedules it; returns its request id, or nullopt when `limit` events
    /// are pending already (the caller answers 429 or tries again later). Throws
    /// std::system_error when it cannot be stored.
    std::optional<std::string> accept(pool::function_pool& fn, std::string payload,
                                      std::string source = {});

    /// Removes temporary files a killed engine left behind, then schedules the events left in
    /// the queue folder by an earlier engine (their index only). Events of functions that are no
    /// longer configured are left where they are, with a warning.
    void recover(const std::map<std::string, pool::function_pool*, std::less<>>& functions);

    bool full() const { return pending_ >= limit_; }
    std::size_t limit() const { return limit_; }
    std::size_t pending() const { return pending_; }
    std::uint64_t failed() const { return failed_; }
    /// Events of the event source `source` ("<function>/<event>") that failed every attempt.
    std::uint64_t failed(const std::string& source) const {
        auto it = failed_by_source_.find(source);
        return it == failed_by_source_.end() ? 0 : it->second;
    }

  private:
    /// What memory keeps of a pending event: all but the payload.
    struct queued_event {
        std::string request_id;
        std::filesystem::path file;
        std::int64_t accepted_ms = 0;
        unsigned attempts = 0;
        std::string source;
    };
    /// One function's events: those ready to run, and how many are in its pool now.
    struct lane {
        pool::function_pool* fn = nullptr;
        std::deque<queued_event> ready;
        std::size_t running = 0;
    };

    void add(pool::function_pool& fn, queued_event event);
    void schedule(lane& l);
    net::awaitable<void> run(lane* l, queued_event event);
    void store_attempts(const queued_event& event);
    /// Writes the failure record; false when it could not (the event then stays in the queue).
    bool record_failure(pool::function_pool& fn, const queued_event& event,
                        std::string_view condition, std::string_view last_error);
    std::filesystem::path file_for(const event_record& record);

    net::any_io_executor executor_;
    std::filesystem::path queue_dir_;
    std::filesystem::path failures_dir_;
    std::size_t limit_;
    std::map<std::string, lane, std::less<>> lanes_;
    std::uint64_t sequence_ = 0;
    std::size_t pending_ = 0;
    bool stopping_ = false;  // an attempt met the engine's shutdown: start no more
    bool full_logged_ = false;
    std::uint64_t failed_ = 0;
    std::map<std::string, std::uint64_t, std::less<>> failed_by_source_;
};

/// Writes `data` to `file` through a temporary file (`file` + ".tmp") and a rename, so a reader
/// never sees half of it. Creates the folder. Throws std::system_error.
void write_atomically(const std::filesystem::path& file, std::string_view data);

/// The suffix of write_atomically's temporary files.
inline constexpr std::string_view temporary_suffix = ".tmp";

}  // namespace lambdaport::runtime::async
