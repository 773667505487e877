// The soak benchmark: does the engine give back what a long run takes?
//
// It starts the engine with `hello` (concurrency 2, instances kept for the whole run), warms it up
// with a smaller run of the same mix, takes the baseline (VmRSS and open descriptors of the engine
// process), then runs N synchronous invocations from C kept-alive clients and M asynchronous ones
// (X-Amz-Invocation-Type: Event, at most W pending at a time), waits for the async queue to drain
// (GET /lambdaport/status), and measures again. Every `--interval` seconds a sampler prints the
// engine's RSS, descriptors and instances. Targets: RSS growth < 1 MB, no descriptor growth.
// Exit status: 0 when the run worked and the descriptors did not grow; 1 when they grew, a request
// failed or the engine died (RSS growth is reported, not enforced); 2 on bad options.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "http_client.hpp"
#include "proc_stats.hpp"

namespace fs = std::filesystem;
using namespace lambdaport::bench;
using steady = std::chrono::steady_clock;

namespace {

constexpr std::string_view payload = R"({"bench":"soak","x":1})";
constexpr std::string_view invoke_path = "/2015-03-31/functions/hello/invocations";
constexpr std::string_view event_header = "X-Amz-Invocation-Type: Event\r\n";

struct options {
    fs::path engine;
    fs::path handler;
    std::size_t sync = 1'000'000;
    std::size_t async = 100'000;
    std::size_t clients = 4;
    std::size_t window = 1000;  // async events pending at most
    double interval = 5;        // seconds between samples
    bool keep_temp = false;
};

constexpr const char* usage =
    "usage: lambdaport_soak_bench [--engine PATH] [--handler PATH] [--sync N] [--async N]\n"
    "                             [--clients C] [--window W] [--interval S] [--quick]\n"
    "                             [--keep-temp]\n"
    "  --sync N       synchronous invocations after the warm-up (1000000)\n"
    "  --async N      asynchronous (Event) invocations after the warm-up (100000)\n"
    "  --clients C    concurrent kept-alive clients (4)\n"
    "  --window W     async events allowed pending in the engine at once (1000)\n"
    "  --interval S   seconds between samples of the engine's RSS and descriptors (5)\n"
    "  --quick        a short run: --sync 50000 --async 5000 --interval 1\n"
    "  --keep-temp    keep the temporary folder (config, state, logs)\n";

options parse_options(int argc, char** argv) {
    std::error_code ec;
    const fs::path self_dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
    options o;
    o.engine = find_executable({self_dir / "../runtime/lambdaport", LAMBDAPORT_BENCH_ENGINE});
    o.handler = find_executable({self_dir / "../examples/hello/hello", LAMBDAPORT_BENCH_HANDLER});
    auto value = [&](int& i, std::string_view name) {
        if (i + 1 >= argc) {
            throw std::invalid_argument(std::string{name} + " needs a value");
        }
        return std::string{argv[++i]};
    };
    auto number = [&](int& i, std::string_view name) {
        const std::string text = value(i, name);
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !(v > 0) || v > 1e12) {
            throw std::invalid_argument(std::string{name} + ": not a positive number: " + text);
        }
        return v;
    };
    auto count = [&](int& i, std::string_view name) {
        const double v = number(i, name);
        if (v != static_cast<double>(static_cast<std::size_t>(v))) {
            throw std::invalid_argument(std::string{name} + ": not a whole number >= 1");
        }
        return static_cast<std::size_t>(v);
    };
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--engine") {
            o.engine = fs::absolute(value(i, arg));
        } else if (arg == "--handler") {
            o.handler = fs::absolute(value(i, arg));
        } else if (arg == "--sync") {
            o.sync = count(i, arg);
        } else if (arg == "--async") {
            o.async = count(i, arg);
        } else if (arg == "--clients") {
            o.clients = count(i, arg);
        } else if (arg == "--window") {
            o.window = count(i, arg);
        } else if (arg == "--interval") {
            o.interval = number(i, arg);
        } else if (arg == "--quick") {
            o.sync = 50'000;
            o.async = 5'000;
            o.interval = 1;
        } else if (arg == "--keep-temp") {
            o.keep_temp = true;
        } else if (arg == "--help" || arg == "-h") {
            std::cout << usage;
            std::exit(0);
        } else {
            throw std::invalid_argument("unknown option " + std::string{arg});
        }
    }
    for (const auto& [name, p] :
         {std::pair{"--engine", &o.engine}, std::pair{"--handler", &o.handler}}) {
        if (::access(p->c_str(), X_OK) != 0) {
            throw std::invalid_argument(std::string{name} + ": not an executable: " + p->string() +
                                        " (build it, or pass its path)");
        }
    }
    return o;
}

fs::path write_config(const fs::path& dir, const options& o) {
    const fs::path file = dir / "config.json";
    // idle_timeout far beyond the run: the same two instances serve it from warm-up to the end,
    // so the baseline and the final sample count the same instances' descriptors.
    nlohmann::json config{
        {"engine", {{"listen", "127.0.0.1:0"}, {"state_dir", (dir / "state").string()}}},
        {"functions",
         {{"hello",
           {{"handler", o.handler.string()}, {"concurrency", 2}, {"idle_timeout", 86400}}}}}};
    std::ofstream out(file);
    out << config.dump(2) << '\n';
    if (!out.flush()) {
        throw std::runtime_error("cannot write " + file.string());
    }
    return file;
}

unsigned short wait_for_port(child_process& engine) {
    const auto line = engine.wait_for_line(
        engine.stderr_file(), "listening address=", steady::now() + std::chrono::seconds(30));
    if (!line) {
        throw std::runtime_error("the engine did not report its port (" +
                                 (engine.running() ? "timed out" : engine.exit_description()) +
                                 "); its standard error:\n" + tail_of(engine.stderr_file()));
    }
    const std::string address = line->substr(0, line->find_first_of(" \t"));
    const long port = std::strtol(address.substr(address.rfind(':') + 1).c_str(), nullptr, 10);
    if (port <= 0 || port > 65535) {
        throw std::runtime_error("the engine printed no valid port: " + *line);
    }
    return static_cast<unsigned short>(port);
}

// What the engine says about itself (GET /lambdaport/status).
struct engine_status {
    std::size_t pending = 0;      // async events not finished
    std::size_t failed = 0;       // async events given up on
    std::size_t invocations = 0;  // of `hello`, sync and async
    std::size_t errors = 0;
};

engine_status read_status(http_client& client) {
    const auto& r = client.request("GET", "/lambdaport/status", {});
    if (r.status != 200) {
        throw std::runtime_error("GET /lambdaport/status: HTTP " + std::to_string(r.status));
    }
    const auto j = nlohmann::json::parse(r.body);
    engine_status s;
    s.pending = j.at("async").at("pending").get<std::size_t>();
    s.failed = j.at("async").at("failed").get<std::size_t>();
    s.invocations = j.at("functions").at("hello").at("invocations").get<std::size_t>();
    s.errors = j.at("functions").at("hello").at("errors").get<std::size_t>();
    return s;
}

// One sample of the engine process.
struct sample {
    double seconds = 0;  // since the start of the run
    std::string phase;
    std::size_t sync_done = 0;
    std::size_t async_sent = 0;
    std::size_t pending = 0;
    long rss_kb = 0;
    std::size_t fds = 0;
    std::size_t instances = 0;
};

// Shared by the load threads, the sampler and the main thread.
struct run_state {
    pid_t engine_pid = -1;
    unsigned short port = 0;
    steady::time_point start = steady::now();
    std::atomic<std::size_t> sync_done{0};
    std::atomic<std::size_t> async_sent{0};
    std::atomic<std::size_t> pending{0};  // last seen in the engine's status
    std::atomic<std::size_t> errors{0};
    std::mutex mutex;  // guards phase, first_error
    std::string phase = "start";
    std::string first_error;

    void error(std::string message) {
        if (errors.fetch_add(1) == 0) {
            std::lock_guard lock{mutex};
            first_error = std::move(message);
        }
    }
    void set_phase(std::string p) {
        std::lock_guard lock{mutex};
        phase = std::move(p);
    }
};

sample take_sample(run_state& st) {
    sample s;
    s.seconds = std::chrono::duration<double>(steady::now() - st.start).count();
    {
        std::lock_guard lock{st.mutex};
        s.phase = st.phase;
    }
    s.sync_done = st.sync_done;
    s.async_sent = st.async_sent;
    s.pending = st.pending;
    s.rss_kb = read_memory(st.engine_pid).value_or(memory_usage{}).rss_kb;
    s.fds = count_fds(st.engine_pid).value_or(0);
    s.instances = children_of(st.engine_pid).size();
    return s;
}

void print_header() {
    std::printf("  %8s  %-9s %10s %9s %8s %10s %5s %9s\n", "t (s)", "phase", "sync", "async",
                "pending", "RSS (kB)", "fds", "instances");
}

void print_sample(const sample& s) {
    std::printf("  %8.1f  %-9s %10zu %9zu %8zu %10ld %5zu %9zu\n", s.seconds, s.phase.c_str(),
                s.sync_done, s.async_sent, s.pending, s.rss_kb, s.fds, s.instances);
    std::fflush(stdout);
}

// `count` synchronous invocations spread over `clients` threads, each on its own connection.
void run_sync(run_state& st, std::size_t count, std::size_t clients) {
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> threads;
    for (std::size_t c = 0; c < clients; ++c) {
        threads.emplace_back([&] {
            try {
                http_client client{"127.0.0.1", st.port};
                while (next.fetch_add(1) < count) {
                    const auto& r = client.post(invoke_path, payload);
                    if (r.status != 200 || r.function_error) {
                        st.error("sync: HTTP " + std::to_string(r.status) + ": " +
                                 r.body.substr(0, 200));
                    }
                    ++st.sync_done;
                }
            } catch (const std::exception& e) {
                st.error(std::string{"sync: "} + e.what());
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
}

// `count` Event invocations over `clients` connections, keeping at most `window` events pending
// in the engine (the last status poll plus what was sent since), then waits for the queue to drain.
void run_async(run_state& st, std::size_t count, std::size_t clients, std::size_t window) {
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> sent_at_poll{st.async_sent.load()};
    std::atomic<bool> sending{true};
    std::thread poller([&] {
        try {
            http_client client{"127.0.0.1", st.port};
            // A queue that stops moving for this long is a hang, not a slow machine.
            constexpr auto stall_limit = std::chrono::seconds(120);
            auto moved = steady::now();
            for (;;) {
                // Read before the status, so the events of a sender that finished after the
                // status was taken are still waited for.
                const bool done = !sending;
                const std::size_t sent = st.async_sent;
                const std::size_t pending = read_status(client).pending;
                if (pending != st.pending) {
                    moved = steady::now();
                }
                st.pending = pending;
                sent_at_poll = sent;
                if (done && pending == 0) {
                    return;
                }
                if (steady::now() - moved > stall_limit) {
                    throw std::runtime_error("the async queue stood still at " +
                                             std::to_string(pending) + " pending for 120 s");
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        } catch (const std::exception& e) {
            st.error(std::string{"status: "} + e.what());
            st.pending = 0;
        }
    });
    std::vector<std::thread> threads;
    for (std::size_t c = 0; c < clients; ++c) {
        threads.emplace_back([&] {
            try {
                http_client client{"127.0.0.1", st.port};
                while (next.fetch_add(1) < count) {
                    while (st.pending + (st.async_sent - sent_at_poll) >= window &&
                           st.errors == 0) {
                        std::this_thread::sleep_for(std::chrono::milliseconds(2));
                    }
                    const auto& r = client.request("POST", invoke_path, payload, event_header);
                    if (r.status != 202) {
                        st.error("async: HTTP " + std::to_string(r.status) + ": " +
                                 r.body.substr(0, 200));
                    }
                    ++st.async_sent;
                }
            } catch (const std::exception& e) {
                st.error(std::string{"async: "} + e.what());
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    st.set_phase("drain");
    sending = false;
    poller.join();
}

// Waits up to `limit` for the engine's descriptor count to come down to `target` (connections the
// clients just closed are closed by the engine a moment later); returns the last count.
std::size_t settle_fds(pid_t pid, std::size_t target, std::chrono::seconds limit) {
    const auto deadline = steady::now() + limit;
    std::size_t fds = count_fds(pid).value_or(0);
    while (fds > target && steady::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        fds = count_fds(pid).value_or(0);
    }
    return fds;
}

int run(const options& o) {
    install_cleanup_handlers();
    char pattern[] = "/tmp/lambdaport-soak-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    const fs::path dir = pattern;
    const fs::path config = write_config(dir, o);
    const std::size_t warm_sync =
        std::max<std::size_t>(1, std::min<std::size_t>(20'000, o.sync / 10));
    // The warm-up fills the async window at least twice, so the baseline already holds the heap
    // a full window of pending events needs, and growth after it means memory not given back.
    const std::size_t warm_async = std::min(o.async, std::max(o.window * 2, o.async / 10));
    std::cout << "lambdaport soak benchmark\n"
              << "  engine   " << o.engine.string() << "\n"
              << "  handler  " << o.handler.string() << " (function hello, concurrency 2)\n"
              << "  machine  " << std::thread::hardware_concurrency() << " cores, load average "
              << load_average() << "\n"
              << "  run      warm-up " << warm_sync << " sync + " << warm_async << " async, then "
              << o.sync << " sync + " << o.async << " async; " << o.clients << " clients, "
              << o.window << " async pending at most; temp " << dir.string() << "\n\n"
              << std::flush;

    child_process engine{"lambdaport",
                         {o.engine.string(), "serve", "--config", config.string()},
                         dir / "engine.stdout",
                         dir / "engine.stderr"};
    run_state st;
    st.engine_pid = engine.pid();
    st.port = wait_for_port(engine);

    print_header();
    std::atomic<bool> sampling{true};
    std::thread sampler([&] {
        const auto step =
            std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(o.interval));
        for (auto at = steady::now(); sampling; at += step) {
            print_sample(take_sample(st));
            while (sampling && steady::now() < at + step) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
    });
    auto stop_sampler = [&] {
        if (sampling.exchange(false)) {
            sampler.join();
        }
    };

    double sync_seconds = 0;
    double async_seconds = 0;
    std::optional<sample> before;
    std::optional<sample> after;
    try {
        st.set_phase("warm-up");
        run_sync(st, warm_sync, o.clients);
        run_async(st, warm_async, o.clients, o.window);
        // The warm-up's connections are closed; what is open now is what the engine keeps.
        std::this_thread::sleep_for(std::chrono::seconds(1));
        settle_fds(st.engine_pid, 0, std::chrono::seconds(2));
        st.set_phase("baseline");
        before = take_sample(st);
        print_sample(*before);

        st.set_phase("sync");
        auto t0 = steady::now();
        run_sync(st, o.sync, o.clients);
        sync_seconds = std::chrono::duration<double>(steady::now() - t0).count();
        st.set_phase("async");
        t0 = steady::now();
        run_async(st, o.async, o.clients, o.window);
        async_seconds = std::chrono::duration<double>(steady::now() - t0).count();

        std::this_thread::sleep_for(std::chrono::seconds(1));
        settle_fds(st.engine_pid, before->fds, std::chrono::seconds(10));
        st.set_phase("end");
        after = take_sample(st);
        print_sample(*after);
    } catch (...) {
        stop_sampler();
        throw;
    }
    stop_sampler();

    std::optional<engine_status> status;
    try {
        http_client client{"127.0.0.1", st.port};
        status = read_status(client);
    } catch (const std::exception& e) {
        st.error(std::string{"final status: "} + e.what());
    }
    const bool engine_alive = engine.running();
    const auto peak = read_memory(st.engine_pid);

    const long rss_growth = after->rss_kb - before->rss_kb;
    const long fd_growth = long(after->fds) - long(before->fds);
    const std::size_t expected = warm_sync + warm_async + o.sync + o.async;
    std::printf("\n  %-44s %12s %12s %10s   %-14s\n", "figure", "after warm-up", "at the end",
                "growth", "target");
    std::printf("  %-44s %12ld %12ld %+10ld   %-14s %s\n", "engine RSS (kB)", before->rss_kb,
                after->rss_kb, rss_growth, "< 1 MB growth",
                rss_growth * 1024 < 1'000'000 ? "PASS" : "MISS");
    std::printf("  %-44s %12zu %12zu %+10ld   %-14s %s\n", "engine open descriptors", before->fds,
                after->fds, fd_growth, "no growth", fd_growth <= 0 ? "PASS" : "FAIL");
    std::printf("  %-44s %12zu %12zu %+10ld\n", "handler instances", before->instances,
                after->instances, long(after->instances) - long(before->instances));
    std::printf("\ndetails\n");
    std::printf("  sync:  %zu invocations in %.1f s (%.0f/s)\n", o.sync, sync_seconds,
                sync_seconds > 0 ? double(o.sync) / sync_seconds : 0);
    std::printf("  async: %zu events accepted and drained in %.1f s (%.0f/s)\n", o.async,
                async_seconds, async_seconds > 0 ? double(o.async) / async_seconds : 0);
    if (peak) {
        std::printf("  engine peak RSS (VmHWM) %ld kB\n", peak->peak_kb);
    }
    if (status) {
        std::printf(
            "  engine status: hello %zu invocations (%zu expected), %zu errors; async %zu pending, "
            "%zu failed\n",
            status->invocations, expected, status->errors, status->pending, status->failed);
        if (status->invocations != expected || status->errors != 0 || status->failed != 0) {
            st.error("the engine's counts disagree with what was sent");
        }
    }
    std::printf("  load average now %s\n", load_average().c_str());

    int exit_status = 0;
    if (st.errors > 0 || !engine_alive) {
        std::printf("\nbroken run: %zu errors%s; first: %s\n", st.errors.load(),
                    engine_alive ? "" : ", the engine exited", st.first_error.c_str());
        if (!engine_alive) {
            std::printf("engine (%s), standard error:\n%s", engine.exit_description().c_str(),
                        tail_of(engine.stderr_file()).c_str());
        }
        exit_status = 1;
    }
    std::printf("\nverdict: RSS %+ld kB (%s), descriptors %+ld (%s)\n", rss_growth,
                rss_growth * 1024 < 1'000'000 ? "within 1 MB" : "grew by 1 MB or more", fd_growth,
                fd_growth <= 0 ? "no growth" : "LEAK");
    if (fd_growth > 0) {
        exit_status = 1;
    }
    if (!engine.stop()) {
        std::printf("note: the engine did not stop on SIGTERM within 5 s and was killed\n");
    }
    if (o.keep_temp || exit_status != 0) {
        std::cout << "temp folder kept: " << dir.string() << '\n';
    } else {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    return exit_status;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(parse_options(argc, argv));
    } catch (const std::invalid_argument& e) {
        std::cerr << "lambdaport_soak_bench: " << e.what() << '\n' << usage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "lambdaport_soak_bench: " << e.what() << '\n';
        return 1;
    }
}
