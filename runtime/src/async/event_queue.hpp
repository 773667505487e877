#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
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

std::string to_json(const event_record& record);
/// nullopt-like: returns false when the text is not a record.
bool from_json(std::string_view text, event_record& out);

/// Lambda's destination record for an event that failed.
std::string destination_record(const event_record& record, const std::string& function_arn,
                               std::string_view condition, std::string_view response_payload);

class event_queue {
  public:
    event_queue(net::any_io_executor executor, std::filesystem::path state_dir);

    /// Stores the event and starts running it; returns its request id. Throws std::system_error
    /// when it cannot be stored.
    std::string accept(pool::function_pool& fn, std::string payload, std::string source = {});

    /// Runs the events left in the queue folder by an earlier engine. Events of functions that
    /// are no longer configured are left where they are, with a warning.
    void recover(const std::map<std::string, pool::function_pool*, std::less<>>& functions);

    std::size_t pending() const { return pending_; }
    std::uint64_t failed() const { return failed_; }
    /// Events of the event source `source` ("<function>/<event>") that failed every attempt.
    std::uint64_t failed(const std::string& source) const {
        auto it = failed_by_source_.find(source);
        return it == failed_by_source_.end() ? 0 : it->second;
    }

  private:
    net::awaitable<void> run(pool::function_pool& fn, event_record record,
                             std::filesystem::path file);
    void store(const std::filesystem::path& file, const event_record& record);
    std::filesystem::path file_for(const event_record& record);

    net::any_io_executor executor_;
    std::filesystem::path queue_dir_;
    std::filesystem::path failures_dir_;
    std::uint64_t sequence_ = 0;
    std::size_t pending_ = 0;
    std::uint64_t failed_ = 0;
    std::map<std::string, std::uint64_t, std::less<>> failed_by_source_;
};

/// Writes `data` to `file` through a temporary file and a rename, so a reader never sees half of
/// it. Creates the folder. Throws std::system_error.
void write_atomically(const std::filesystem::path& file, std::string_view data);

}  // namespace lambdaport::runtime::async
