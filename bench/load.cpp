#include "load.hpp"

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "http_client.hpp"
#include "proc_stats.hpp"

namespace lambdaport::bench {
namespace {

using steady = std::chrono::steady_clock;

// CPU used so far by the server, its children as listed in `children`, and this process.
cpu_split sample_cpu(const target& t, const std::vector<pid_t>& children) {
    cpu_split s;
    s.server = read_cpu_time(t.server_pid).value_or(std::chrono::microseconds{0});
    s.handlers = cpu_time_of(children);
    s.client = own_cpu_time();
    return s;
}

cpu_split operator-(const cpu_split& a, const cpu_split& b) {
    return {a.server - b.server, a.handlers - b.handlers, a.client - b.client};
}

// Records the first error message of a run and counts every error.
class error_log {
  public:
    void record(std::string message) {
        std::lock_guard lock{mutex_};
        if (count_++ == 0) {
            first_ = std::move(message);
        }
    }
    void add_to(load_result& r) const {
        std::lock_guard lock{mutex_};
        r.errors += count_;
        if (r.first_error.empty()) {
            r.first_error = first_;
        }
    }

  private:
    mutable std::mutex mutex_;
    std::size_t count_ = 0;
    std::string first_;
};

std::string describe(const http_response& r) {
    std::string body = r.body.substr(0, 200);
    return "HTTP " + std::to_string(r.status) + (r.function_error ? " (function error)" : "") +
           ": " + body;
}

bool succeeded(const http_response& r) {
    return r.status == 200 && !r.function_error;
}

}  // namespace

load_result run_sequential(const target& t, std::size_t warmup, std::size_t max_requests,
                           std::chrono::duration<double> max_duration) {
    load_result result;
    error_log errors;
    http_client client{"127.0.0.1", t.port};
    try {
        for (std::size_t i = 0; i < warmup; ++i) {
            const auto& r = client.post(t.path, t.payload);
            if (!succeeded(r)) {
                errors.record("warm-up: " + describe(r));
            }
        }
        const std::vector<pid_t> children =
            t.count_children ? children_of(t.server_pid) : std::vector<pid_t>{};
        std::vector<std::int64_t> ns;
        ns.reserve(max_requests);
        const cpu_split cpu_before = sample_cpu(t, children);
        const auto start = steady::now();
        const auto deadline = start + std::chrono::duration_cast<steady::duration>(max_duration);
        auto now = start;
        while (ns.size() < max_requests && now < deadline) {
            const auto& r = client.post(t.path, t.payload);
            const auto after = steady::now();
            ns.push_back(elapsed_ns(now, after));
            if (!succeeded(r)) {
                errors.record(describe(r));
            }
            now = after;
        }
        result.seconds = std::chrono::duration<double>(now - start).count();
        result.cpu = sample_cpu(t, children) - cpu_before;
        result.completed = ns.size();
        result.per_second = result.seconds > 0 ? double(ns.size()) / result.seconds : 0;
        result.latency = summarize(ns);
    } catch (const std::exception& e) {
        errors.record(e.what());
    }
    errors.add_to(result);
    return result;
}

load_result run_concurrent(const target& t, std::size_t clients,
                           std::chrono::duration<double> warmup,
                           std::chrono::duration<double> duration) {
    load_result result;
    error_log errors;
    // Fixed time points shared by every thread: starting late or finishing a request past the end
    // costs at most one request per thread.
    const auto start = steady::now() + std::chrono::milliseconds(100);
    const auto measure_from = start + std::chrono::duration_cast<steady::duration>(warmup);
    const auto measure_until =
        measure_from + std::chrono::duration_cast<steady::duration>(duration);

    std::vector<std::vector<std::int64_t>> per_thread(clients);
    std::vector<std::thread> threads;
    threads.reserve(clients);
    for (std::size_t c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            auto& ns = per_thread[c];
            ns.reserve(1 << 16);
            try {
                http_client client{"127.0.0.1", t.port};
                std::this_thread::sleep_until(start);
                for (auto before = steady::now(); before < measure_until;) {
                    const auto& r = client.post(t.path, t.payload);
                    const auto after = steady::now();
                    if (before >= measure_from) {
                        ns.push_back(elapsed_ns(before, after));
                    }
                    if (!succeeded(r)) {
                        errors.record(describe(r));
                    }
                    before = after;
                }
            } catch (const std::exception& e) {
                errors.record(e.what());
            }
        });
    }

    std::this_thread::sleep_until(measure_from);
    // Handler instances started during the warm-up are the ones that serve the measured window.
    const std::vector<pid_t> children =
        t.count_children ? children_of(t.server_pid) : std::vector<pid_t>{};
    const cpu_split cpu_before = sample_cpu(t, children);
    std::this_thread::sleep_until(measure_until);
    const cpu_split cpu_after = sample_cpu(t, children);
    for (auto& thread : threads) {
        thread.join();
    }

    std::vector<std::int64_t> all;
    for (const auto& ns : per_thread) {
        all.insert(all.end(), ns.begin(), ns.end());
    }
    result.completed = all.size();
    result.seconds = duration.count();
    result.per_second = double(all.size()) / result.seconds;
    result.latency = summarize(all);
    result.cpu = cpu_after - cpu_before;
    errors.add_to(result);
    return result;
}

}  // namespace lambdaport::bench
