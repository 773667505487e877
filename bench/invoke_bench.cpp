// The invoke benchmark: how close lambdaport gets to the floor of one keep-alive HTTP round trip.
//
// In one run it starts the floor server (a minimal Beast server) and the engine (with `hello`,
// concurrency 2, and `hello_cold`, the same handler stopped after every invocation), then measures
// with one client implementation against both:
//   (a) sequential warm invoke latency over one kept-alive connection,
//   (b) throughput with C concurrent clients against 2 instances,
//   (c) cold-start invoke latency,
//   (d) the floor: (a) and (b) against the floor server,
//   (e) the engine's idle resident memory, after start and after the runs.
// It prints the figures, the ratios to the floor and the targets. The verdicts are informational:
// the exit status is 0 unless something broke (a child failed to start, a request failed).

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "child_process.hpp"
#include "load.hpp"
#include "proc_stats.hpp"

namespace fs = std::filesystem;
using namespace lambdaport::bench;

namespace {

constexpr std::string_view payload = R"({"bench":"lambdaport","x":1})";

struct options {
    fs::path engine;
    fs::path handler;
    fs::path floor;
    double seconds = 10;           // each throughput run; also caps each sequential run
    std::size_t clients = 8;       // concurrent connections in the throughput runs
    std::size_t requests = 20000;  // sequential run length
    std::size_t cold = 200;        // cold-start invocations
    bool keep_temp = false;
};

constexpr const char* usage =
    "usage: lambdaport_invoke_bench [--engine PATH] [--handler PATH] [--floor PATH]\n"
    "                               [--seconds N] [--clients C] [--requests N] [--cold N]\n"
    "                               [--keep-temp]\n"
    "  --engine PATH    lambdaport binary (default: found beside this build)\n"
    "  --handler PATH   hello handler (default: found beside this build)\n"
    "  --floor PATH     lambdaport_floor_server (default: beside this binary)\n"
    "  --seconds N      length of each throughput run, and the cap of each sequential run (10)\n"
    "  --clients C      concurrent clients in the throughput runs (8)\n"
    "  --requests N     invocations in each sequential run (20000)\n"
    "  --cold N         cold-start invocations (200)\n"
    "  --keep-temp      keep the temporary folder (config, state, logs) after the run\n";

options parse_options(int argc, char** argv) {
    std::error_code ec;
    const fs::path self_dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
    options o;
    o.engine = find_executable({self_dir / "../runtime/lambdaport", LAMBDAPORT_BENCH_ENGINE});
    o.handler = find_executable({self_dir / "../examples/hello/hello", LAMBDAPORT_BENCH_HANDLER});
    o.floor = find_executable({self_dir / "lambdaport_floor_server", LAMBDAPORT_BENCH_FLOOR});

    auto number = [&](int& i, std::string_view name) {
        if (i + 1 >= argc) {
            throw std::invalid_argument(std::string{name} + " needs a value");
        }
        const std::string text = argv[++i];
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !(value > 0)) {
            throw std::invalid_argument(std::string{name} + ": not a positive number: " + text);
        }
        return value;
    };
    auto count = [&](int& i, std::string_view name) {
        const double value = number(i, name);
        if (value < 1 || value != static_cast<double>(static_cast<std::size_t>(value))) {
            throw std::invalid_argument(std::string{name} + ": not a whole number >= 1");
        }
        return static_cast<std::size_t>(value);
    };
    auto path = [&](int& i, std::string_view name) {
        if (i + 1 >= argc) {
            throw std::invalid_argument(std::string{name} + " needs a value");
        }
        return fs::absolute(argv[++i]);
    };
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--engine") {
            o.engine = path(i, arg);
        } else if (arg == "--handler") {
            o.handler = path(i, arg);
        } else if (arg == "--floor") {
            o.floor = path(i, arg);
        } else if (arg == "--seconds") {
            o.seconds = number(i, arg);
        } else if (arg == "--clients") {
            o.clients = count(i, arg);
        } else if (arg == "--requests") {
            o.requests = count(i, arg);
        } else if (arg == "--cold") {
            o.cold = count(i, arg);
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
         {std::pair{"--engine", &o.engine}, std::pair{"--handler", &o.handler},
          std::pair{"--floor", &o.floor}}) {
        if (::access(p->c_str(), X_OK) != 0) {
            throw std::invalid_argument(std::string{name} + ": not an executable: " + p->string() +
                                        " (build it, or pass its path)");
        }
    }
    return o;
}

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + '"';
}

fs::path write_config(const fs::path& dir, const options& o) {
    const fs::path file = dir / "config.json";
    std::ofstream out(file);
    out << "{\n"
        << R"(  "engine": { "listen": "127.0.0.1:0", "state_dir": )"
        << json_string((dir / "state").string()) << " },\n"
        << "  \"functions\": {\n"
        << R"(    "hello": { "handler": )" << json_string(o.handler.string())
        << R"(, "concurrency": 2 },)" << '\n'
        << R"(    "hello_cold": { "handler": )" << json_string(o.handler.string())
        << R"(, "concurrency": 1, "idle_timeout": 0 })" << '\n'
        << "  }\n}\n";
    if (!out.flush()) {
        throw std::runtime_error("cannot write " + file.string());
    }
    return file;
}

// Waits for `marker` in the child's output and returns the port that follows it ("PORT" or
// "HOST:PORT", up to the first space).
unsigned short wait_for_port(child_process& child, const fs::path& file,
                             const std::string& marker) {
    const auto line = child.wait_for_line(
        file, marker, std::chrono::steady_clock::now() + std::chrono::seconds(15));
    if (!line) {
        throw std::runtime_error(child.name() + " did not report its port (" +
                                 (child.running() ? "timed out" : child.exit_description()) +
                                 "); its standard error:\n" + tail_of(child.stderr_file()));
    }
    std::string address = line->substr(0, line->find_first_of(" \t"));
    const auto colon = address.rfind(':');
    const std::string port = colon == std::string::npos ? address : address.substr(colon + 1);
    const long value = std::strtol(port.c_str(), nullptr, 10);
    if (value <= 0 || value > 65535) {
        throw std::runtime_error(child.name() + " printed no valid port: " + *line);
    }
    return static_cast<unsigned short>(value);
}

// REPORT lines of a function's log: how many invocations ran, and how many of them cold.
std::pair<std::size_t, std::size_t> count_reports(const fs::path& log) {
    std::ifstream in(log);
    std::size_t reports = 0;
    std::size_t cold = 0;
    std::string line;
    while (std::getline(in, line)) {
        if (line.find("REPORT RequestId:") != std::string::npos) {
            ++reports;
            if (line.find("Init Duration") != std::string::npos) {
                ++cold;
            }
        }
    }
    return {reports, cold};
}

std::string mib(long kb) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", double(kb) / 1024.0);
    return buf;
}

std::string fixed(double v, int decimals, std::string_view unit) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f%s", decimals, v, std::string{unit}.c_str());
    return buf;
}

std::string per_second(double v) {
    std::string digits = std::to_string(static_cast<long long>(v + 0.5));
    for (int at = int(digits.size()) - 3; at > 0; at -= 3) {
        digits.insert(std::size_t(at), ",");
    }
    return digits + "/s";
}

void row(std::string_view what, const std::string& figure, const std::string& floor,
         const std::string& ratio, std::string_view target, std::optional<bool> pass) {
    std::printf("  %-38s %13s %12s %8s   %-16s %s\n", std::string{what}.c_str(), figure.c_str(),
                floor.c_str(), ratio.c_str(), std::string{target}.c_str(),
                pass ? (*pass ? "PASS" : "MISS") : "");
}

std::string cpu_per_request(std::chrono::microseconds cpu, std::size_t requests) {
    return requests ? fixed(double(cpu.count()) / double(requests), 1, " us") : "-";
}

void print_cpu(std::string_view what, const load_result& r) {
    std::printf("  %-38s server %10s  handlers %10s  client %10s\n", std::string{what}.c_str(),
                cpu_per_request(r.cpu.server, r.completed).c_str(),
                cpu_per_request(r.cpu.handlers, r.completed).c_str(),
                cpu_per_request(r.cpu.client, r.completed).c_str());
}

// Everything one run measured.
struct measurements {
    load_result floor_seq;
    load_result warm_seq;
    load_result floor_tp;
    load_result warm_tp;
    load_result cold_seq;
    std::optional<memory_usage> rss_start;
    std::optional<memory_usage> rss_after;
    std::size_t idle_instances = 0;
    long idle_instances_kb = 0;
    std::pair<std::size_t, std::size_t> hello_reports;  // invocations, instances started
    std::pair<std::size_t, std::size_t> cold_reports;   // invocations, cold ones
};

measurements measure(const options& o, const fs::path& dir, unsigned short floor_port,
                     pid_t floor_pid, unsigned short engine_port, pid_t engine_pid) {
    measurements m;
    // (e) idle memory once start-up has settled.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    m.rss_start = read_memory(engine_pid);

    const std::string invoke_hello = "/2015-03-31/functions/hello/invocations";
    const std::string invoke_cold = "/2015-03-31/functions/hello_cold/invocations";
    const target floor{floor_port, invoke_hello, std::string{payload}, floor_pid, false};
    const target hello{engine_port, invoke_hello, std::string{payload}, engine_pid, true};
    const target cold{engine_port, invoke_cold, std::string{payload}, engine_pid, false};
    const std::chrono::duration<double> cap{o.seconds};
    const std::size_t warmup = std::min<std::size_t>(2000, o.requests / 5 + 1);

    std::cout << "\nrunning: floor sequential ..." << std::flush;
    m.floor_seq = run_sequential(floor, warmup, o.requests, cap);
    std::cout << " engine sequential ..." << std::flush;
    m.warm_seq = run_sequential(hello, warmup, o.requests, cap);
    std::cout << " floor throughput ..." << std::flush;
    m.floor_tp = run_concurrent(floor, o.clients, std::chrono::milliseconds(500), cap);
    std::cout << " engine throughput ..." << std::flush;
    // A longer warm-up: it is what starts the second instance.
    m.warm_tp = run_concurrent(hello, o.clients, std::chrono::milliseconds(1000), cap);
    std::cout << " cold starts ..." << std::flush;
    m.cold_seq = run_sequential(cold, 3, o.cold, std::chrono::duration<double>(o.cold * 1.0));
    std::cout << " idle ...\n" << std::flush;

    // After the runs the engine holds two warm `hello` instances and no work; give the cold
    // function's last instance time to be reaped before measuring.
    std::this_thread::sleep_for(std::chrono::seconds(1));
    m.rss_after = read_memory(engine_pid);
    const auto instances = children_of(engine_pid);
    m.idle_instances = instances.size();
    m.idle_instances_kb = rss_of(instances);
    m.cold_reports = count_reports(dir / "state/logs/hello_cold.log");
    m.hello_reports = count_reports(dir / "state/logs/hello.log");
    return m;
}

// Prints the table and the details; returns the number of failed requests.
std::size_t print_report(const options& o, const measurements& m) {
    const double p50_ratio = m.warm_seq.latency.p50_us / m.floor_seq.latency.p50_us;
    const double p99_ratio = m.warm_seq.latency.p99_us / m.floor_seq.latency.p99_us;
    const double tp_ratio = m.warm_tp.per_second / m.floor_tp.per_second;
    constexpr double rss_limit_kb = 10e6 / 1024.0;  // 10 MB

    std::printf("\n  %-38s %13s %12s %8s   %-16s %s\n", "figure", "lambdaport", "floor", "ratio",
                "target", "");
    row("(a) warm invoke p50, sequential", fixed(m.warm_seq.latency.p50_us, 1, " us"),
        fixed(m.floor_seq.latency.p50_us, 1, " us"), fixed(p50_ratio, 2, "x"), "<= 3x floor",
        p50_ratio <= 3.0);
    row("(a) warm invoke p99, sequential", fixed(m.warm_seq.latency.p99_us, 1, " us"),
        fixed(m.floor_seq.latency.p99_us, 1, " us"), fixed(p99_ratio, 2, "x"), "", std::nullopt);
    row("(b) throughput, " + std::to_string(o.clients) + " clients, 2 instances",
        per_second(m.warm_tp.per_second), per_second(m.floor_tp.per_second),
        fixed(tp_ratio, 2, "x"), ">= 10,000/s", m.warm_tp.per_second >= 10000);
    row("(b) latency under load p50", fixed(m.warm_tp.latency.p50_us, 1, " us"),
        fixed(m.floor_tp.latency.p50_us, 1, " us"),
        fixed(m.warm_tp.latency.p50_us / m.floor_tp.latency.p50_us, 2, "x"), "", std::nullopt);
    row("(b) latency under load p99", fixed(m.warm_tp.latency.p99_us, 1, " us"),
        fixed(m.floor_tp.latency.p99_us, 1, " us"),
        fixed(m.warm_tp.latency.p99_us / m.floor_tp.latency.p99_us, 2, "x"), "", std::nullopt);
    row("(c) cold-start invoke p50", fixed(m.cold_seq.latency.p50_us / 1000, 2, " ms"), "", "",
        "<= 10 ms", m.cold_seq.latency.p50_us <= 10'000);
    row("(c) cold-start invoke p99", fixed(m.cold_seq.latency.p99_us / 1000, 2, " ms"), "", "", "",
        std::nullopt);
    if (m.rss_start) {
        row("(e) engine idle RSS after start", mib(m.rss_start->rss_kb), "", "", "<= 10 MB",
            m.rss_start->rss_kb <= rss_limit_kb);
    }
    if (m.rss_after) {
        row("(e) engine idle RSS after the runs", mib(m.rss_after->rss_kb), "", "", "<= 10 MB",
            m.rss_after->rss_kb <= rss_limit_kb);
    }

    std::printf("\ndetails\n");
    std::printf(
        "  sequential: floor %zu req in %.2f s (mean %.1f us, max %.1f us); engine %zu in %.2f s "
        "(mean %.1f us, max %.1f us)\n",
        m.floor_seq.completed, m.floor_seq.seconds, m.floor_seq.latency.mean_us,
        m.floor_seq.latency.max_us, m.warm_seq.completed, m.warm_seq.seconds,
        m.warm_seq.latency.mean_us, m.warm_seq.latency.max_us);
    std::printf(
        "  throughput: floor %zu req, engine %zu invocations in %.1f s each; engine log: %zu hello "
        "instance(s) started for %zu invocations\n",
        m.floor_tp.completed, m.warm_tp.completed, o.seconds, m.hello_reports.second,
        m.hello_reports.first);
    const auto [reports, cold] = m.cold_reports;
    std::printf(
        "  cold starts: %zu measured (mean %.2f ms, max %.2f ms); engine log: %zu REPORT lines, "
        "%zu with Init Duration\n",
        m.cold_seq.completed, m.cold_seq.latency.mean_us / 1000, m.cold_seq.latency.max_us / 1000,
        reports, cold);
    if (reports > 0 && cold < reports) {
        std::printf(
            "  warning: only %zu of %zu hello_cold invocations started a new instance "
            "(idle_timeout 0 should make every one cold), so (c) mixes in warm invocations\n",
            cold, reports);
    }
    if (m.rss_after) {
        std::printf("  engine peak RSS (VmHWM) %s; %zu handler instance(s) idle holding %s\n",
                    mib(m.rss_after->peak_kb).c_str(), m.idle_instances,
                    mib(m.idle_instances_kb).c_str());
    }
    std::printf("  CPU per request (user+system):\n");
    print_cpu("floor, sequential", m.floor_seq);
    print_cpu("engine, sequential", m.warm_seq);
    print_cpu("floor, throughput", m.floor_tp);
    print_cpu("engine, throughput", m.warm_tp);
    std::printf("  load average now %s\n", load_average().c_str());

    std::size_t errors = 0;
    for (const auto* r : {&m.floor_seq, &m.warm_seq, &m.floor_tp, &m.warm_tp, &m.cold_seq}) {
        errors += r->errors;
        if (!r->first_error.empty()) {
            std::printf("  error: %s\n", r->first_error.c_str());
        }
    }
    return errors;
}

int run(const options& o) {
    install_cleanup_handlers();
    char pattern[] = "/tmp/lambdaport-bench-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    const fs::path dir = pattern;
    int status = 0;
    try {
        const fs::path config = write_config(dir, o);
        std::cout << "lambdaport invoke benchmark\n"
                  << "  engine   " << o.engine.string() << "\n"
                  << "  handler  " << o.handler.string() << "\n"
                  << "  floor    " << o.floor.string() << "\n"
                  << "  machine  " << std::thread::hardware_concurrency() << " cores, load average "
                  << load_average() << "\n"
                  << "  run      " << o.requests << " sequential requests (cap " << o.seconds
                  << " s), " << o.clients << " clients x " << o.seconds << " s, " << o.cold
                  << " cold starts; temp " << dir.string() << "\n"
                  << std::flush;

        // Both children are stopped by their destructors on every way out of this block.
        child_process floor{"floor server",
                            {o.floor.string(), "--listen", "127.0.0.1:0"},
                            dir / "floor.stdout",
                            dir / "floor.stderr"};
        child_process engine{"lambdaport",
                             {o.engine.string(), "serve", "--listen", "127.0.0.1:0", "--config",
                              config.string(), "--state", (dir / "state").string()},
                             dir / "engine.stdout",
                             dir / "engine.stderr"};
        const unsigned short floor_port = wait_for_port(floor, floor.stdout_file(), "");
        const unsigned short engine_port =
            wait_for_port(engine, engine.stderr_file(), "listening address=");

        const measurements m = measure(o, dir, floor_port, floor.pid(), engine_port, engine.pid());
        const bool engine_alive = engine.running();
        const bool floor_alive = floor.running();
        const std::size_t errors = print_report(o, m);
        if (errors > 0 || !engine_alive || !floor_alive) {
            std::printf("\nbroken run: %zu failed requests%s%s\n", errors,
                        engine_alive ? "" : ", the engine exited",
                        floor_alive ? "" : ", the floor server exited");
            if (!engine_alive) {
                std::printf("engine (%s), standard error:\n%s", engine.exit_description().c_str(),
                            tail_of(engine.stderr_file()).c_str());
            }
            status = 1;
        }
        std::printf("\nPASS/MISS are informational. Figures vary with the machine's load.\n");
        if (!engine.stop()) {
            std::printf("note: the engine did not stop on SIGTERM within 5 s and was killed\n");
        }
        floor.stop();
    } catch (...) {
        std::cerr << "lambdaport_invoke_bench: temp folder kept: " << dir.string() << '\n';
        throw;
    }
    if (o.keep_temp || status != 0) {
        std::cout << "temp folder kept: " << dir.string() << '\n';
    } else {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(parse_options(argc, argv));
    } catch (const std::invalid_argument& e) {
        std::cerr << "lambdaport_invoke_bench: " << e.what() << '\n' << usage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "lambdaport_invoke_bench: " << e.what() << '\n';
        return 1;
    }
}
