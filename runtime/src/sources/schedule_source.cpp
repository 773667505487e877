#include "sources/schedule_source.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/system_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <optional>

#include "log/log.hpp"
#include "sources/schedule_expression.hpp"
#include "sources/scheduled_event.hpp"
#include "util/text.hpp"

namespace lambdaport::runtime::sources {
namespace {

using namespace std::chrono_literals;
using wall_clock = std::chrono::system_clock;

// Asio measures a system_timer's wait on the monotonic clock, so it would notice that the wall
// clock was set (NTP step, suspend, a manual change) only when that wait ends. Waiting in slices
// bounds how late a firing can be after such a jump.
constexpr auto max_wait = 10s;

class schedule_source final : public source {
  public:
    schedule_source(const config::function_config& fn, const config::event_source_config& ev,
                    delivery& to, const source_environment& env)
        : fn_(fn),
          ev_(ev),
          to_(to),
          env_(env),
          expression_(ev.schedule.expression),
          tag_(fn.name + "/" + ev.name),
          timer_(to.executor()),
          retry_timer_(to.executor()) {}

    ~schedule_source() override { request_stop(); }

    void start() override {
        started_ = wall_clock::now();
        next_ = expression_.next_after(started_, started_);
        log::info("event source", {{"function", fn_.name},
                                   {"event", ev_.name},
                                   {"type", "schedule"},
                                   {"expression", expression_.text()},
                                   {"next", next_ ? event_time(*next_) : "none"}});
        if (!next_) {
            return;  // e.g. a year that is past: like EventBridge, keep the rule, never fire
        }
        net::co_spawn(to_.executor(), run(), log::report_exception{"schedule source"});
    }

    void request_stop() override {
        stopping_ = true;
        timer_.cancel();
        retry_timer_.cancel();
    }

    nlohmann::json status() const override {
        auto out = counters_.to_json();
        out["function"] = fn_.name;
        out["event"] = ev_.name;
        out["type"] = "schedule";
        out["expression"] = expression_.text();
        out["next"] = next_ ? nlohmann::json(event_time(*next_)) : nlohmann::json(nullptr);
        // Handed over to the async queue, an event fails there: after its retries.
        out["failed"] = counters_.failed.load() + to_.failed_in_queue(tag_);
        return out;
    }

  private:
    net::awaitable<void> run() {
        while (!stopping_ && next_) {
            auto now = wall_clock::now();
            if (now < *next_) {
                if (expression_.is_rate() && *next_ - now > expression_.period()) {
                    // The clock was set back by more than a period: count the periods from now
                    // rather than wait out the jump.
                    log::warn("clock set back; rate rule restarted",
                              {{"function", fn_.name}, {"event", ev_.name}});
                    started_ = now;
                    next_ = expression_.next_after(now, started_);
                    continue;
                }
                timer_.expires_at(std::min<wall_clock::time_point>(*next_, now + max_wait));
                co_await timer_.async_wait(net::as_tuple(net::use_awaitable));
                continue;  // cancelled (stopping) or a slice ended: look at the clock again
            }
            fire(*next_, now);
            // From now, not from the firing: after a jump forward (or a suspend) the missed
            // firings are not sent in a burst; the one just sent stands for them.
            next_ = expression_.next_after(std::max(now, *next_), started_);
        }
    }

    void fire(wall_clock::time_point due, wall_clock::time_point now) {
        ++counters_.polls;
        auto late = std::chrono::duration_cast<std::chrono::milliseconds>(now - due);
        if (late > 1min) {
            log::warn("schedule fired late", {{"function", fn_.name},
                                              {"event", ev_.name},
                                              {"due", event_time(due)},
                                              {"late_ms", std::to_string(late.count())}});
        }
        auto payload = ev_.schedule.input.empty()
                           ? make_scheduled_event(util::make_uuid(), due, env_.region,
                                                  env_.account_id, fn_.name + "-" + ev_.name)
                           : ev_.schedule.input;
        // In firing order; the timer goes on while a full queue holds firings back.
        backlog_.push_back({std::move(payload), due});
        counters_.backlog = backlog_.size();
        if (!draining_) {
            draining_ = true;
            net::co_spawn(to_.executor(), drain(), log::report_exception{"schedule source"});
        }
    }

    // Hands the waiting firings to the async queue; while it is full, tries again with a
    // growing delay, as EventBridge retries a throttled target.
    net::awaitable<void> drain() {
        auto backoff = delivery::full_backoff_min;
        while (!stopping_ && !backlog_.empty()) {
            auto& firing = backlog_.front();
            std::optional<std::string> id;
            try {
                id = to_.try_enqueue_here(firing.payload, tag_);
            } catch (const std::exception& e) {
                // A firing the queue cannot store is lost, and counted as failed.
                ++counters_.failed;
                log::error("cannot queue scheduled event", {{"function", fn_.name},
                                                            {"event", ev_.name},
                                                            {"due", event_time(firing.due)},
                                                            {"error", e.what()}});
                backlog_.pop_front();
                continue;
            }
            if (!id) {
                if (backoff == delivery::full_backoff_min) {
                    log::info("async queue full; event source waits",
                              {{"function", fn_.name}, {"source", tag_}});
                }
                retry_timer_.expires_after(backoff);
                co_await retry_timer_.async_wait(net::as_tuple(net::use_awaitable));
                backoff = std::min(backoff * 2, delivery::full_backoff_max);
                continue;
            }
            if (id->empty()) {
                break;  // the engine is stopping
            }
            backoff = delivery::full_backoff_min;
            ++counters_.delivered;
            counters_.lag_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   wall_clock::now() - firing.due)
                                   .count();
            log::info("scheduled event", {{"function", fn_.name},
                                          {"event", ev_.name},
                                          {"time", event_time(firing.due)},
                                          {"request_id", *id}});
            backlog_.pop_front();
            counters_.backlog = backlog_.size();
        }
        draining_ = false;
    }

    const config::function_config& fn_;
    const config::event_source_config& ev_;
    delivery& to_;
    const source_environment& env_;
    const schedule_expression expression_;
    const std::string tag_;  // "<function>/<event>": the queue counts failures under it
    net::system_timer timer_;
    net::steady_timer retry_timer_;  // between tries while the async queue is full
    struct firing {
        std::string payload;
        wall_clock::time_point due;
    };
    std::deque<firing> backlog_;  // fired, not yet in the async queue
    bool draining_ = false;
    wall_clock::time_point started_;
    std::optional<wall_clock::time_point> next_;
    bool stopping_ = false;  // the I/O thread's, like everything here
    source_counters counters_;
};

}  // namespace

std::unique_ptr<source> make_schedule_source(const config::function_config& fn,
                                             const config::event_source_config& ev, delivery& to,
                                             const source_environment& env) {
    return std::make_unique<schedule_source>(fn, ev, to, env);
}

}  // namespace lambdaport::runtime::sources
