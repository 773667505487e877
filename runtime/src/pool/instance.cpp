#include "pool/instance.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "http/server.hpp"
#include "log/log.hpp"
#include "pool/function_pool.hpp"
#include "pool/peer_check.hpp"
#include "pool/process_tree.hpp"
#include "runtime_api/runtime_api.hpp"
#include "util/text.hpp"

namespace lambdaport::runtime::pool {
namespace {

using clock = std::chrono::steady_clock;
constexpr std::size_t tail_limit = 4096;
// Lambda's limit for the init phase.
constexpr std::chrono::seconds init_limit{10};

double ms_between(clock::time_point a, clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string format_ms(double ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", ms);
    return buf;
}

}  // namespace

instance::instance(function_pool& pool, unsigned number)
    : pool_(pool),
      number_(number),
      output_(pool.executor()),
      exit_watch_(pool.executor()),
      wake_(pool.executor()),
      deadline_(pool.executor()) {}

instance::~instance() {
    if (api_) {
        api_->stop();
    }
}

void instance::start() {
    std::weak_ptr<instance> weak = weak_from_this();
    http::server_options options;
    options.body_limit = runtime_api::response_limit;
    options.too_large = [weak](std::string_view target) {
        return runtime_api::too_large(weak, target);
    };
    options.error = runtime_api::server_error;
    options.admit = [weak](int socket_fd) {
        auto self = weak.lock();
        return self && self->admit(socket_fd);
    };
    api_ =
        std::make_unique<http::server>(pool_.executor(), "127.0.0.1", 0, options,
                                       [weak](http::request req) -> net::awaitable<http::response> {
                                           return runtime_api::handle(weak, std::move(req));
                                       });
    api_->start();

    const auto& cfg = pool_.config();
    spawn_options opts;
    opts.executable = cfg.handler;
    opts.working_dir = cfg.handler.parent_path();
    opts.memory_mb = cfg.memory_mb;
    opts.environment = pool_.base_environment();
    opts.environment.push_back("AWS_LAMBDA_RUNTIME_API=" + api_->address());
    // Lambda's stream name: date/[version]instance-id
    auto now = std::chrono::system_clock::now();
    auto day = util::iso8601(now).substr(0, 10);
    for (auto& c : day) {
        if (c == '-') {
            c = '/';
        }
    }
    opts.environment.push_back("AWS_LAMBDA_LOG_STREAM_NAME=" + day + "/[$LATEST]" +
                               util::random_hex(32));
    opts.marker = opts.environment.back();  // random: no other instance has it
    spawned_ = clock::now();
    process_ = process::spawn(opts);
    output_.assign(process_.release_output_fd());
    exit_watch_.assign(process_.release_pidfd());
    read_output();
    watch_exit();

    // A runtime that never asks for work within the init limit is taken down.
    deadline_.expires_after(init_limit);
    deadline_.async_wait([weak](boost::system::error_code ec) {
        auto self = weak.lock();
        if (!ec && self && !self->lifecycle_.initialized() && !self->exited_) {
            self->emit("INIT_REPORT Init Duration: " +
                       format_ms(ms_between(self->spawned_, clock::now())) +
                       " ms\tPhase: init\tStatus: timeout");
            self->init_error_ = error_json("Sandbox.Timedout",
                                           "Init phase did not finish within " +
                                               std::to_string(init_limit.count()) + ".00 seconds");
            self->process_.kill(SIGKILL);
        }
    });
}

bool instance::admit(int socket_fd) {
    // Once per connection, and runtimes keep theirs alive: nothing of this is on the per-request
    // path.
    auto peer = find_peer(socket_fd);
    if (peer.inode != 0) {
        // The leader is nearly always the client: one look at its descriptors.
        if (!exited_ && process_tree::holds_socket(process_.pid(), peer.inode)) {
            return true;
        }
        // A runtime started by a bootstrap script (fork, not exec) or any other descendant.
        if (held_by_any(process_.members(), peer.inode)) {
            return true;
        }
    }
    // Anyone else could take this instance's invocations and answer them: closed unanswered. At
    // most one line a second, so a loop of connections cannot flood the log.
    ++refused_;
    auto now = clock::now();
    if (refused_logged_at_ == clock::time_point{} ||
        now - refused_logged_at_ >= std::chrono::seconds{1}) {
        refused_logged_at_ = now;
        pid_t holder = peer.inode != 0 ? process_tree::socket_holder(peer.inode) : -1;
        log::warn("runtime api connection refused",
                  {{"function", pool_.config().name},
                   {"instance", std::to_string(number_)},
                   {"peer", peer.address.empty() ? "unknown" : peer.address},
                   {"peer_pid", holder > 0 ? std::to_string(holder) : "unknown"},
                   {"refused", std::to_string(refused_)}});
    }
    return false;
}

void instance::stop() {
    if (stopping_ || exited_) {
        return;
    }
    stopping_ = true;
    process_.kill(SIGKILL);
    wake_.cancel();
}

net::awaitable<instance::next_result> instance::next() {
    auto self = shared_from_this();
    next_result out;
    out.outcome = lifecycle_.next();
    if (out.outcome != verdict::accepted) {
        co_return out;
    }
    if (init_ms_ < 0) {
        init_ms_ = ms_between(spawned_, clock::now());
        deadline_.cancel();
    }
    pool_.on_waiting(*this);  // may deliver() at once
    const auto idle = pool_.config().idle_timeout;
    while (lifecycle_.current() == lifecycle::phase::waiting && !stopping_ && !exited_) {
        // With idle_timeout 0 an instance is stopped after its one invocation (the pool does it),
        // so a fresh one may wait; a year stands for "no timeout" without overflowing the clock.
        wake_.expires_after(
            idle.count() > 0 ? idle : std::chrono::milliseconds{std::chrono::hours{24 * 365}});
        auto [ec] = co_await wake_.async_wait(net::as_tuple(net::use_awaitable));
        if (!ec && lifecycle_.current() == lifecycle::phase::waiting) {
            pool_.on_idle_expired(*this);  // may stop() this instance
        }
    }
    out.work = current_;
    co_return out;
}

void instance::deliver(std::shared_ptr<invocation> work) {
    lifecycle_.deliver(work->request_id);
    current_ = std::move(work);
    ++served_;
    started_work_ = clock::now();
    keep_tail_ = current_->want_log_tail;
    deadline_at_ =
        std::chrono::system_clock::now() +
        std::chrono::duration_cast<std::chrono::system_clock::duration>(pool_.config().timeout);
    tail_.clear();
    emit("START RequestId: " + current_->request_id + " Version: $LATEST");
    std::weak_ptr<instance> weak = weak_from_this();
    deadline_.expires_after(pool_.config().timeout);
    deadline_.async_wait([weak, id = current_->request_id](boost::system::error_code ec) {
        if (auto self = weak.lock(); self && !ec) {
            self->on_deadline(id);
        }
    });
    wake_.cancel();
}

verdict instance::respond(std::string_view request_id, std::string body, std::string content_type) {
    auto v = lifecycle_.answer(request_id);
    if (v != verdict::accepted) {
        return v;
    }
    invocation_result r;
    r.payload = std::move(body);
    if (!content_type.empty()) {
        r.content_type = std::move(content_type);
    }
    finish(std::move(r));
    return v;
}

verdict instance::fail(std::string_view request_id, std::string body, std::string_view error_type) {
    auto v = lifecycle_.answer(request_id);
    if (v != verdict::accepted) {
        return v;
    }
    finish(runtime_api::function_error(body, error_type));
    return v;
}

verdict instance::init_error(std::string body, std::string_view error_type) {
    auto v = lifecycle_.init_error();
    if (v == verdict::accepted) {
        init_error_ = runtime_api::function_error(body, error_type).payload;
        // The runtime should exit now; if it lingers, it goes.
        std::weak_ptr<instance> weak = weak_from_this();
        deadline_.expires_after(std::chrono::seconds{1});
        deadline_.async_wait([weak](boost::system::error_code ec) {
            if (auto self = weak.lock(); self && !ec) {
                self->process_.kill(SIGKILL);
            }
        });
    }
    return v;
}

void instance::finish(invocation_result result) {
    deadline_.cancel();
    drain_output();
    auto work = std::move(current_);
    if (result.function_error) {
        pool_.count_error();
    }
    emit("END RequestId: " + work->request_id);
    report_for(*work);
    if (keep_tail_) {
        result.log_tail =
            tail_.size() > tail_limit ? tail_.substr(tail_.size() - tail_limit) : tail_;
    }
    tail_.clear();
    keep_tail_ = false;
    work->complete(std::move(result));
}

void instance::report_for(const invocation& work) {
    auto now = clock::now();
    double duration = ms_between(started_work_, now);
    if (now - rss_read_ > std::chrono::milliseconds{50} || peak_rss_kb_ == 0) {
        // VmHWM only grows; reading it at most every 50 ms keeps /proc off the hot path.
        if (auto kb = process_.peak_rss_kb(); kb > 0) {
            peak_rss_kb_ = kb;
        }
        rss_read_ = now;
    }
    double billed = std::ceil(duration);
    std::string line = "REPORT RequestId: " + work.request_id +
                       "\tDuration: " + format_ms(duration) + " ms\tBilled Duration: ";
    std::string init;
    if (init_ms_ >= 0 && !init_reported_) {
        init_reported_ = true;
        billed += std::ceil(init_ms_);
        init = "\tInit Duration: " + format_ms(init_ms_) + " ms";
    }
    line += std::to_string(std::int64_t(billed)) +
            " ms\tMemory Size: " + std::to_string(pool_.config().memory_mb) +
            " MB\tMax Memory Used: " + std::to_string((peak_rss_kb_ + 1023) / 1024) + " MB" + init;
    emit(line);
}

bool instance::check_memory() {
    if (lifecycle_.current() != lifecycle::phase::busy || !current_) {
        return false;
    }
    auto rss = process_.rss_kb();
    peak_rss_kb_ = std::max(peak_rss_kb_, rss);
    if (rss <= std::uint64_t(pool_.config().memory_mb) * 1024) {
        return false;
    }
    // As on Lambda: past its memory size the sandbox is killed, and the caller hears why.
    lifecycle_.end();
    process_.kill(SIGKILL);
    finish(engine_error("Runtime.OutOfMemory",
                        "RequestId: " + lifecycle_.request_id() +
                            " Error: Runtime exited with error: signal: killed"));
    return true;
}

void instance::on_deadline(const std::string& request_id) {
    if (lifecycle_.current() != lifecycle::phase::busy || !current_ ||
        current_->request_id != request_id) {
        return;
    }
    lifecycle_.end();
    process_.kill(SIGKILL);
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f",
                  std::chrono::duration<double>(pool_.config().timeout).count());
    finish(engine_error(
        "Sandbox.Timedout",
        "RequestId: " + request_id + " Error: Task timed out after " + seconds + " seconds"));
}

void instance::watch_exit() {
    std::weak_ptr<instance> weak = weak_from_this();
    exit_watch_.async_wait(net::posix::stream_descriptor::wait_read,
                           [weak](boost::system::error_code ec) {
                               auto self = weak.lock();
                               if (!self || ec) {
                                   return;
                               }
                               int status = 0;
                               if (!self->process_.try_wait(status)) {
                                   self->watch_exit();
                                   return;
                               }
                               self->on_exit(status);
                           });
}

void instance::on_exit(int wait_status) {
    exited_ = true;
    deadline_.cancel();
    wake_.cancel();
    drain_output();
    if (!partial_line_.empty()) {
        output_line(partial_line_);
        partial_line_.clear();
    }
    lifecycle_.end();
    std::string how = describe_exit(wait_status);
    if (current_) {
        finish(exit_error(current_->request_id, how));
    }
    if (!stopping_) {
        log::info("instance exited", {{"function", pool_.config().name},
                                      {"instance", std::to_string(number_)},
                                      {"status", how}});
    }
    api_->stop();
    output_.close();
    exit_watch_.close();
    bool failed_init = !lifecycle_.initialized() && !stopping_;
    pool_.on_exit(*this, failed_init, std::move(init_error_), how);
}

void instance::read_output() {
    std::weak_ptr<instance> weak = weak_from_this();
    output_.async_read_some(net::buffer(read_buffer_),
                            [weak](boost::system::error_code ec, std::size_t n) {
                                auto self = weak.lock();
                                if (!self) {
                                    return;
                                }
                                if (n > 0) {
                                    self->on_output({self->read_buffer_, n});
                                }
                                if (!ec) {
                                    self->read_output();
                                }
                            });
}

void instance::drain_output() {
    // The runtime flushed its output before answering: take what is in the pipe now, so the
    // invocation's lines come before its END line.
    if (!output_.is_open()) {
        return;
    }
    for (;;) {
        ssize_t n = ::read(output_.native_handle(), read_buffer_, sizeof read_buffer_);
        if (n <= 0) {
            break;
        }
        on_output({read_buffer_, std::size_t(n)});
    }
}

void instance::on_output(std::string_view data) {
    while (!data.empty()) {
        auto nl = data.find('\n');
        if (nl == std::string_view::npos) {
            partial_line_.append(data);
            if (partial_line_.size() > 256 * 1024) {
                output_line(partial_line_);
                partial_line_.clear();
            }
            return;
        }
        if (partial_line_.empty()) {
            output_line(data.substr(0, nl));
        } else {
            partial_line_.append(data.substr(0, nl));
            output_line(partial_line_);
            partial_line_.clear();
        }
        data.remove_prefix(nl + 1);
    }
}

void instance::output_line(std::string_view text) {
    // Handler output is tagged with the invocation it belongs to, as Lambda's runtimes do.
    if (current_) {
        std::string tagged;
        tagged.reserve(current_->request_id.size() + 1 + text.size());
        tagged.append(current_->request_id).append("\t").append(text);
        emit(tagged);
    } else {
        emit(text);
    }
}

void instance::emit(std::string_view text) {
    pool_.log().line(text);
    if (keep_tail_) {
        tail_.append(text);
        tail_ += '\n';
        if (tail_.size() > 16 * tail_limit) {
            tail_.erase(0, tail_.size() - tail_limit);
        }
    }
}

}  // namespace lambdaport::runtime::pool
