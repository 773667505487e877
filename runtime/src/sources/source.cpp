#include "sources/source.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <thread>

#include "async/event_queue.hpp"
#include "log/log.hpp"
#include "pool/function_pool.hpp"
#include "util/text.hpp"

namespace lambdaport::runtime::sources {
namespace {

using namespace std::chrono_literals;

pool::invocation_result stopping_result() {
    pool::invocation_result r;
    r.engine_stopping = true;
    return r;
}

net::awaitable<void> run_invocation(pool::function_pool& fn, std::shared_ptr<pool::invocation> work,
                                    std::shared_ptr<std::promise<pool::invocation_result>> done) {
    fn.submit(work, false);
    done->set_value(co_await work->wait());
}

// Waits for a result from the I/O thread, giving up when the engine stops: once the I/O thread
// has stopped, nothing would ever fulfil the promise.
template <class T>
std::optional<T> wait_for(std::future<T>& result, const std::atomic<bool>& stopping) {
    while (result.wait_for(100ms) != std::future_status::ready) {
        if (stopping) {
            return std::nullopt;
        }
    }
    return result.get();
}

}  // namespace

delivery::delivery(net::any_io_executor io, pool::function_pool& fn, async::event_queue& queue)
    : io_(std::move(io)), fn_(fn), queue_(queue) {}

pool::invocation_result delivery::invoke(std::string payload) {
    if (stopping_) {
        return stopping_result();
    }
    auto work = std::make_shared<pool::invocation>(io_, util::make_uuid(), std::move(payload));
    work->invoked_function_arn = fn_.arn();
    work->trace_id = "Root=1-" + util::random_hex(8) + "-" + util::random_hex(24) +
                     ";Parent=" + util::random_hex(16) + ";Sampled=0";
    auto done = std::make_shared<std::promise<pool::invocation_result>>();
    auto result = done->get_future();
    net::co_spawn(io_, run_invocation(fn_, std::move(work), done),
                  log::report_exception{"event source invocation"});
    auto r = wait_for(result, stopping_);
    return r ? std::move(*r) : stopping_result();
}

std::string delivery::enqueue(std::string payload, std::string source) {
    // Shared with the I/O thread, which may run a try after this thread stopped waiting for it.
    auto event = std::make_shared<const std::pair<std::string, std::string>>(std::move(payload),
                                                                             std::move(source));
    auto backoff = full_backoff_min;
    for (;;) {
        if (stopping_) {
            return {};
        }
        auto done = std::make_shared<std::promise<std::optional<std::string>>>();
        auto result = done->get_future();
        net::post(io_, [this, done, event] {
            try {
                // Checked first, so a refused try leaves the payload for the next one.
                done->set_value(queue_.full() ? std::nullopt
                                              : try_enqueue_here(event->first, event->second));
            } catch (...) {
                done->set_exception(std::current_exception());
            }
        });
        auto id = wait_for(result, stopping_);
        if (!id) {
            return {};
        }
        if (*id) {
            return std::move(**id);
        }
        // Full: the source waits (and so stops reading further events) until events finish.
        if (backoff == full_backoff_min) {
            log::info("async queue full; event source waits",
                      {{"function", fn_.config().name}, {"source", event->second}});
        }
        if (!sleep_unless_stopping(backoff)) {
            return {};
        }
        backoff = std::min(backoff * 2, full_backoff_max);
    }
}

std::optional<std::string> delivery::try_enqueue_here(std::string payload, std::string source) {
    if (stopping_) {
        return std::string{};
    }
    return queue_.accept(fn_, std::move(payload), std::move(source));
}

bool delivery::sleep_unless_stopping(std::chrono::milliseconds how_long) const {
    auto until = std::chrono::steady_clock::now() + how_long;
    while (!stopping_) {
        auto left = until - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) {
            return true;
        }
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, 100ms));
    }
    return false;
}

std::uint64_t delivery::failed_in_queue(const std::string& source) const {
    return queue_.failed(source);
}

nlohmann::json source_counters::to_json() const {
    return {{"delivered", delivered.load()},
            {"failed", failed.load()},
            {"backlog", backlog.load()},
            {"lag_ms", lag_ms.load()},
            {"polls", polls.load()}};
}

}  // namespace lambdaport::runtime::sources
