#pragma once

#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "log/function_log.hpp"
#include "pool/invocation.hpp"
#include "util/net.hpp"

namespace lambdaport::runtime::pool {

class instance;

/// What every function's instances share from the engine.
struct pool_settings {
    std::string region;
    std::string account_id;
    std::string invoke_endpoint;  // http://host:port of the Invoke API, for AWS_ENDPOINT_URL_LAMBDA
    std::filesystem::path state_dir;
    std::vector<std::string> inherited_environment;  // "NAME=value" passed through (credentials…)
};

/// Counters for the status output.
struct pool_stats {
    std::size_t instances = 0;
    std::size_t busy = 0;
    std::size_t queued = 0;
    std::uint64_t invocations = 0;
    std::uint64_t errors = 0;
    std::uint64_t throttles = 0;
    std::uint64_t cold_starts = 0;
};

/// The dispatcher of one function: a queue of invocations and the instances that run them,
/// started on demand up to the function's concurrency, reused while warm, stopped when idle.
class function_pool {
  public:
    function_pool(net::any_io_executor executor, const config::function_config& config,
                  const pool_settings& settings);
    ~function_pool();
    function_pool(const function_pool&) = delete;
    function_pool& operator=(const function_pool&) = delete;

    const config::function_config& config() const { return config_; }
    const pool_settings& settings() const { return settings_; }
    const std::string& arn() const { return arn_; }
    net::any_io_executor executor() const { return executor_; }
    log::function_log& log() { return log_; }
    pool_stats stats() const;

    /// Queues an invocation; its result arrives through invocation::wait(). A `bounded` submit
    /// (a synchronous caller) is refused with false when the queue is full: the caller answers 429.
    bool submit(std::shared_ptr<invocation> work, bool bounded);

    /// Starts the keep-warm instances.
    void start();
    /// Stops every instance; queued invocations are answered with a service error.
    void stop();

    // Called by instances.
    void on_waiting(instance& inst);
    void on_idle_expired(instance& inst);
    /// `failed_init`: it ended before asking for work; `init_error` is what it posted to
    /// /init/error (may be empty), `exit` how it ended ("exit status 1").
    void on_exit(instance& inst, bool failed_init, std::string init_error, const std::string& exit);
    void count_error() { ++stats_.errors; }

    /// The environment of a new instance, without AWS_LAMBDA_RUNTIME_API.
    const std::vector<std::string>& base_environment() const { return environment_; }

  private:
    void dispatch();
    bool spawn();
    void watch_memory();
    std::size_t live_instances() const;
    /// Instances about to ask for work: starting, or just answered.
    std::size_t starting_instances() const;

    net::any_io_executor executor_;
    const config::function_config& config_;
    const pool_settings& settings_;
    std::string arn_;
    std::vector<std::string> environment_;
    log::function_log log_;
    std::deque<std::shared_ptr<invocation>> queue_;
    std::vector<std::shared_ptr<instance>> instances_;
    std::vector<instance*> waiting_;  // parked on /next, most recent last (reused first: warm)
    unsigned next_number_ = 1;
    bool stopped_ = false;
    net::steady_timer memory_watch_;
    bool watching_ = false;
    pool_stats stats_;
};

}  // namespace lambdaport::runtime::pool
