#pragma once

#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "pool/invocation.hpp"
#include "pool/lifecycle.hpp"
#include "pool/process.hpp"
#include "util/net.hpp"

namespace lambdaport::runtime::http {
class server;
}

namespace lambdaport::runtime::pool {

class function_pool;

/// One handler process and the Runtime API endpoint that only it talks to. The pool owns it; it
/// calls back into the pool when it wants work or when it ends.
class instance : public std::enable_shared_from_this<instance> {
  public:
    instance(function_pool& pool, unsigned number);
    ~instance();
    instance(const instance&) = delete;
    instance& operator=(const instance&) = delete;

    /// Opens the Runtime API listener and spawns the process. Throws std::system_error.
    void start();
    /// Kills the process; the pool hears of it through its exit.
    void stop();

    unsigned number() const { return number_; }
    lifecycle::phase phase() const { return lifecycle_.current(); }
    bool stopping() const { return stopping_; }
    /// Invocations this instance has been given.
    std::uint64_t served() const { return served_; }
    pid_t pid() const { return process_.pid(); }
    /// When the invocation held now times out.
    std::chrono::system_clock::time_point deadline() const { return deadline_at_; }

    // The Runtime API, called by runtime_api::handle.
    struct next_result {
        verdict outcome = verdict::accepted;
        std::shared_ptr<invocation> work;  // null with `accepted`: the instance is being stopped
    };
    net::awaitable<next_result> next();
    verdict respond(std::string_view request_id, std::string body, std::string content_type);
    verdict fail(std::string_view request_id, std::string body, std::string_view error_type);
    verdict init_error(std::string body, std::string_view error_type);

    /// The pool hands a waiting instance its next invocation.
    void deliver(std::shared_ptr<invocation> work);
    /// Kills a busy instance whose resident memory is past the function's memory size and
    /// answers its invocation with Runtime.OutOfMemory. True when it did.
    bool check_memory();

  private:
    /// True when the peer of a Runtime API connection is one of this instance's processes.
    bool admit(int socket_fd);
    void read_output();
    void drain_output();
    void on_output(std::string_view data);
    void emit(std::string_view text);
    void watch_exit();
    void on_exit(int wait_status);
    void on_deadline(const std::string& request_id);
    void finish(invocation_result result);
    void report_for(const invocation& work);
    void output_line(std::string_view text);

    function_pool& pool_;
    const unsigned number_;
    lifecycle lifecycle_;
    process process_;
    std::unique_ptr<http::server> api_;
    net::posix::stream_descriptor output_;
    net::posix::stream_descriptor exit_watch_;
    net::steady_timer wake_;
    net::steady_timer deadline_;
    std::shared_ptr<invocation> current_;
    std::string init_error_;  // the error JSON the runtime posted to /init/error
    bool stopping_ = false;
    std::uint64_t served_ = 0;
    bool exited_ = false;

    std::chrono::steady_clock::time_point spawned_;
    std::chrono::steady_clock::time_point started_work_;
    std::chrono::system_clock::time_point deadline_at_;
    double init_ms_ = -1;  // time from spawn to the first GET /next
    bool init_reported_ = false;
    std::uint64_t peak_rss_kb_ = 0;
    std::uint64_t refused_ = 0;  // Runtime API connections from other processes
    std::chrono::steady_clock::time_point refused_logged_at_;
    std::chrono::steady_clock::time_point rss_read_;

    char read_buffer_[8192];
    std::string partial_line_;
    std::string tail_;
    bool keep_tail_ = false;  // the current invocation's caller asked for its log
};

}  // namespace lambdaport::runtime::pool
