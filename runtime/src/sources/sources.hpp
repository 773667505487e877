#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sources/source.hpp"

namespace lambdaport::runtime::sources {

/// Every event source of every function, and the delivery each function's sources share.
class source_set {
  public:
    source_set() = default;
    source_set(const source_set&) = delete;
    source_set& operator=(const source_set&) = delete;
    ~source_set();

    /// Makes the enabled sources of `fn` (not started yet).
    void add(const config::function_config& fn, delivery& to, const source_environment& env);
    /// Starts them all. Throws std::runtime_error (one line) when one cannot work.
    void start();
    /// Stops deliveries and asks every source to stop, without blocking.
    void request_stop();
    /// Waits for the sources' threads (after the I/O thread has stopped).
    void join();
    /// [{"function", "event", "type", "delivered", ...}, ...]
    nlohmann::json status() const;
    bool empty() const noexcept { return sources_.empty(); }
    /// The source of `function`'s event `event` when it takes pushed notifications, else null.
    source* push_target(std::string_view function, std::string_view event) const;

  private:
    std::vector<std::unique_ptr<source>> sources_;
    std::map<std::string, source*, std::less<>> push_targets_;  // "<function>/<event>"
    std::vector<delivery*> deliveries_;
};

}  // namespace lambdaport::runtime::sources
