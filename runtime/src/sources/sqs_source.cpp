#include "sources/sqs_source.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <lambdaport/sqs.hpp>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "log/log.hpp"
#include "sources/endpoints.hpp"
#include "sources/sqs_event.hpp"
#include "util/json_dump.hpp"
#include "util/text.hpp"

namespace lambdaport::runtime::sources {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

// Lambda's synchronous payload limit: a batch whose event would be larger is split.
constexpr std::size_t max_payload = 6'291'456;
// Messages per ReceiveMessage (SQS's limit).
constexpr int max_per_receive = 10;
// How often the backlog (ApproximateNumberOfMessages) is read for the status output.
constexpr auto backlog_interval = 2s;

std::string seconds_text(std::chrono::milliseconds ms) {
    std::ostringstream out;
    out << double(ms.count()) / 1000;
    return out.str();
}

class sqs_source final : public source {
  public:
    sqs_source(const config::function_config& fn, const config::event_source_config& ev,
               delivery& to, const source_environment& env)
        : fn_(fn), ev_(ev), cfg_(ev.sqs), to_(to), env_(env) {}

    ~sqs_source() override {
        request_stop();
        join();
    }

    void start() override {
        const auto where = "functions." + fn_.name + ".events." + ev_.name;
        auto settings = sqs_settings(env_);
        std::map<std::string, std::string> attributes;
        try {
            client_.emplace(settings);
            url_ = client_->queue_url(cfg_.queue);
            attributes = client_->queue_attributes(url_);
        } catch (const std::exception& e) {
            throw std::runtime_error(where + ": queue '" + cfg_.queue + "': " + e.what());
        }
        const auto visibility = util::to_unsigned(attributes["VisibilityTimeout"]);
        if (!visibility) {
            throw std::runtime_error(where + ": queue '" + cfg_.queue +
                                     "': its VisibilityTimeout is not a number of seconds: '" +
                                     attributes["VisibilityTimeout"] + "'");
        }
        if (*visibility < std::uint64_t(fn_.timeout.count() + 999) / 1000) {
            // Lambda refuses the mapping: a message would reappear while its first delivery runs.
            throw std::runtime_error(
                where + ": queue '" + cfg_.queue + "' has a visibility timeout of " +
                std::to_string(*visibility) + " s, shorter than the function's timeout of " +
                seconds_text(fn_.timeout) +
                " s (raise the queue's VisibilityTimeout or lower the timeout)");
        }
        fifo_ = attributes["FifoQueue"] == "true";
        if (fifo_ && cfg_.batch_size > 10) {
            throw std::runtime_error(where + ": batch_size: a FIFO queue takes at most 10, got " +
                                     std::to_string(cfg_.batch_size));
        }
        arn_ = attributes["QueueArn"];
        region_ = arn_region(arn_);
        if (region_.empty()) {
            region_ = settings.region;
        }
        max_pollers_ = std::max(1u, std::min(cfg_.maximum_concurrency, fn_.concurrency));
        log::info("event source",
                  {{"function", fn_.name},
                   {"event", ev_.name},
                   {"type", "sqs"},
                   {"queue", url_},
                   {"arn", arn_},
                   {"fifo", fifo_ ? "true" : "false"},
                   {"batch_size", std::to_string(cfg_.batch_size)},
                   {"batching_window_ms", std::to_string(cfg_.maximum_batching_window.count())},
                   {"max_pollers", std::to_string(max_pollers_)},
                   {"endpoint", client_->describe()}});
        std::lock_guard<std::mutex> lock(mutex_);
        add_poller();
    }

    void request_stop() override {
        stop_flag_ = true;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
    }

    void join() override {
        std::vector<std::thread> threads;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            threads.swap(threads_);
        }
        for (auto& t : threads) {
            if (t.joinable()) {
                t.join();
            }
        }
    }

    nlohmann::json status() const override {
        auto out = counters_.to_json();
        out["function"] = fn_.name;
        out["event"] = ev_.name;
        out["type"] = "sqs";
        out["queue"] = url_;
        out["fifo"] = fifo_;
        out["in_flight"] = in_flight_.load();
        out["deleted"] = deleted_.load();
        std::lock_guard<std::mutex> lock(mutex_);
        out["pollers"] = active_;
        return out;
    }

  private:
    // Starts poller number active_ (call with mutex_ held), reusing a parked thread if any.
    void add_poller() {
        ++active_;
        if (threads_.size() < active_) {
            const unsigned number = unsigned(threads_.size());
            threads_.emplace_back([this, number] { run(number); });
        }
        wake_.notify_all();
    }

    void run(unsigned number) {
        int failures = 0;  // receive errors in a row, for the backoff
        try {
            for (;;) {
                {
                    // Pollers beyond the wanted count park until the backlog calls them again.
                    std::unique_lock<std::mutex> lock(mutex_);
                    wake_.wait(lock, [&] { return stopping_ || number < active_; });
                    if (stopping_) {
                        return;
                    }
                }
                poll_once(number, failures);
            }
        } catch (const std::exception& e) {
            log::error("event source poller stopped",
                       {{"function", fn_.name}, {"event", ev_.name}, {"error", e.what()}});
        }
    }

    // One receive (or, with a batching window, as many as fill the batch) and its invocation.
    void poll_once(unsigned number, int& failures) {
        if (number == 0) {
            refresh_backlog();
        }
        std::vector<sqs::message> batch;
        if (!receive_into(batch, std::min<int>(max_per_receive, int(cfg_.batch_size)), 20,
                          failures)) {
            return;
        }
        if (batch.empty()) {
            // A long poll that ended empty: one poller fewer, down to one.
            std::lock_guard<std::mutex> lock(mutex_);
            if (number + 1 == active_ && active_ > 1) {
                --active_;
            }
            return;
        }
        gather(batch, failures);
        if (batch.size() >= std::size_t(std::min<unsigned>(max_per_receive, cfg_.batch_size))) {
            // A full receive: there is a backlog, so one poller more, up to the maximum.
            std::lock_guard<std::mutex> lock(mutex_);
            if (active_ < max_pollers_ && !stopping_) {
                add_poller();
            }
        }
        in_flight_ += batch.size();
        handle(batch);
        in_flight_ -= batch.size();
    }

    // Appends up to `max` messages from one ReceiveMessage. False after an error (logged, and
    // waited out with backoff) or when stopping.
    bool receive_into(std::vector<sqs::message>& batch, int max, int wait_seconds, int& failures) {
        sqs::receive_options options;
        options.max_messages = max;
        options.wait_time_seconds = wait_seconds;
        options.interrupt = &stop_flag_;
        try {
            auto got = client_->receive(url_, options);
            ++counters_.polls;
            for (auto& m : got) {
                batch.push_back(std::move(m));
            }
            failures = 0;
            note_recovered();
            return !stop_flag_;
        } catch (const std::exception& e) {
            note_error("receive", e.what());
            pause(error_backoff(++failures));
            return false;
        }
    }

    // With a batching window (or a batch above 10), keeps receiving until the batch is full, the
    // window has passed, or the event would be too large for a synchronous invoke.
    void gather(std::vector<sqs::message>& batch, int& failures) {
        if (cfg_.maximum_batching_window.count() == 0 || cfg_.batch_size <= 1) {
            return;
        }
        const auto deadline = clock::now() + cfg_.maximum_batching_window;
        std::size_t bytes = 0;
        for (const auto& m : batch) {
            bytes += m.body.size();
        }
        while (batch.size() < cfg_.batch_size && bytes < max_payload && !stop_flag_) {
            const auto left = deadline - clock::now();
            if (left <= 0ms) {
                break;
            }
            // WaitTimeSeconds has whole seconds: round up, so a short remainder still waits.
            const int wait = int(std::min<long long>(
                20, (std::chrono::duration_cast<std::chrono::milliseconds>(left).count() + 999) /
                        1000));
            const int want =
                int(std::min<std::size_t>(max_per_receive, cfg_.batch_size - batch.size()));
            const auto before = batch.size();
            if (!receive_into(batch, want, wait, failures)) {
                break;
            }
            for (std::size_t i = before; i < batch.size(); ++i) {
                bytes += batch[i].body.size();
            }
        }
    }

    // Invokes the function with the batch, split where the event would exceed the payload limit,
    // in order; then deletes what succeeded.
    void handle(const std::vector<sqs::message>& batch) {
        std::size_t start = 0;
        while (start < batch.size() && !stop_flag_) {
            std::vector<sqs::message> part;
            std::size_t size = 64;
            while (start < batch.size()) {
                const std::size_t record = 1024 + batch[start].body.size() * 2;
                if (!part.empty() && size + record > max_payload) {
                    break;
                }
                size += record;
                part.push_back(batch[start++]);
            }
            invoke(part);
        }
    }

    void invoke(const std::vector<sqs::message>& batch) {
        auto payload = util::dump_json(make_sqs_event(batch, arn_, region_));
        std::int64_t oldest = 0;
        for (const auto& m : batch) {
            auto it = m.attributes.find("SentTimestamp");
            const auto sent =
                it != m.attributes.end() ? util::to_unsigned(it->second) : std::nullopt;
            if (sent && *sent > 0 &&
                *sent < std::uint64_t(std::numeric_limits<std::int64_t>::max())) {
                oldest = oldest == 0 ? std::int64_t(*sent) : std::min(oldest, std::int64_t(*sent));
            }
        }
        auto result = to_.invoke(std::move(payload));
        if (result.engine_stopping) {
            return;  // not handled: the messages reappear after their visibility timeout
        }
        if (oldest > 0) {
            counters_.lag_ms = util::epoch_ms(std::chrono::system_clock::now()) - oldest;
        }
        std::set<std::string> failed;
        if (result.function_error) {
            for (const auto& m : batch) {
                failed.insert(m.message_id);
            }
            log::warn("sqs batch failed; its messages reappear after the visibility timeout",
                      {{"function", fn_.name},
                       {"event", ev_.name},
                       {"messages", std::to_string(batch.size())},
                       {"error", result.error_type}});
        } else if (cfg_.report_batch_item_failures) {
            auto outcome = read_batch_response(result.payload, batch);
            if (outcome.all_failed) {
                for (const auto& m : batch) {
                    failed.insert(m.message_id);
                }
                log::warn("sqs batch response fails the whole batch",
                          {{"function", fn_.name},
                           {"event", ev_.name},
                           {"messages", std::to_string(batch.size())},
                           {"reason", outcome.reason}});
            } else {
                failed.insert(outcome.failed_ids.begin(), outcome.failed_ids.end());
            }
        }
        if (fifo_) {
            hold_back_groups(batch, failed);
        }
        std::vector<sqs::receipt> done;
        for (const auto& m : batch) {
            if (!failed.contains(m.message_id)) {
                done.push_back({m.message_id, m.receipt_handle});
            }
        }
        counters_.failed += failed.size();
        remove(done);
    }

    // Deletes handled messages, ten per call. A message that cannot be deleted is delivered
    // again later (at least once), never lost.
    void remove(const std::vector<sqs::receipt>& done) {
        for (std::size_t i = 0; i < done.size(); i += max_per_receive) {
            std::vector<sqs::receipt> chunk(
                done.begin() + long(i),
                done.begin() + long(std::min(done.size(), i + max_per_receive)));
            try {
                auto r = client_->remove_batch(url_, chunk);
                deleted_ += r.successful.size();
                for (const auto& f : r.failed) {
                    log::warn("sqs message not deleted; it will be delivered again",
                              {{"function", fn_.name},
                               {"event", ev_.name},
                               {"message", f.id},
                               {"error", f.code + ": " + f.message}});
                }
            } catch (const std::exception& e) {
                note_error("delete", e.what());
            }
            counters_.delivered += chunk.size();
        }
    }

    void refresh_backlog() {
        const auto now = clock::now();
        if (now < next_backlog_) {
            return;
        }
        next_backlog_ = now + backlog_interval;
        try {
            auto a = client_->queue_attributes(url_, {"ApproximateNumberOfMessages"});
            const auto backlog = util::to_unsigned(a["ApproximateNumberOfMessages"]);
            if (!backlog) {
                throw std::runtime_error("ApproximateNumberOfMessages is not a number: '" +
                                         a["ApproximateNumberOfMessages"] + "'");
            }
            counters_.backlog = *backlog;
        } catch (const std::exception& e) {
            note_error("backlog", e.what());
        }
    }

    // Logs an error once until it changes or the source recovers, so a queue that is down for
    // an hour is one line, not thousands.
    void note_error(const char* what, const std::string& error) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (last_error_ != error) {
            last_error_ = error;
            log::warn(
                "sqs source error",
                {{"function", fn_.name}, {"event", ev_.name}, {"during", what}, {"error", error}});
        }
    }

    void note_recovered() {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!last_error_.empty()) {
            last_error_.clear();
            log::info("sqs source recovered", {{"function", fn_.name}, {"event", ev_.name}});
        }
    }

    static std::chrono::milliseconds error_backoff(int failures) {
        return std::min<std::chrono::milliseconds>(100ms * (1 << std::min(failures, 6)), 5s);
    }

    // Sleeps, but not past a stop.
    void pause(std::chrono::milliseconds how_long) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait_for(lock, how_long, [&] { return stopping_; });
    }

    const config::function_config& fn_;
    const config::event_source_config& ev_;
    const config::sqs_source_config& cfg_;
    delivery& to_;
    const source_environment& env_;
    std::optional<sqs::client> client_;
    std::string url_;
    std::string arn_;
    std::string region_;
    bool fifo_ = false;
    unsigned max_pollers_ = 1;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;             // under mutex_
    unsigned active_ = 0;               // pollers wanted, under mutex_
    std::vector<std::thread> threads_;  // under mutex_
    std::string last_error_;            // under mutex_
    // Read by the pollers' long polls without the mutex.
    std::atomic<bool> stop_flag_{false};

    clock::time_point next_backlog_{};  // poller 0 only
    std::atomic<std::uint64_t> in_flight_{0};
    std::atomic<std::uint64_t> deleted_{0};
    source_counters counters_;
};

}  // namespace

std::unique_ptr<source> make_sqs_source(const config::function_config& fn,
                                        const config::event_source_config& ev, delivery& to,
                                        const source_environment& env) {
    return std::make_unique<sqs_source>(fn, ev, to, env);
}

}  // namespace lambdaport::runtime::sources
