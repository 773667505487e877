#include "proc_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace lambdaport::bench {

std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

std::optional<memory_usage> read_memory(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    if (!in) {
        return std::nullopt;
    }
    memory_usage usage;
    bool found = false;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string key;
        long value = 0;
        fields >> key >> value;
        if (key == "VmRSS:") {
            usage.rss_kb = value;
            found = true;
        } else if (key == "VmHWM:") {
            usage.peak_kb = value;
        }
    }
    if (!found) {
        return std::nullopt;
    }
    return usage;
}

std::optional<std::size_t> count_fds(pid_t pid) {
    std::error_code ec;
    std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec);
    if (ec) {
        return std::nullopt;
    }
    std::size_t n = 0;
    for (const std::filesystem::directory_iterator end; it != end; it.increment(ec)) {
        if (ec) {
            return std::nullopt;
        }
        ++n;
    }
    return n;
}

std::optional<std::chrono::microseconds> read_cpu_time(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) {
        return std::nullopt;
    }
    // The command name is in parentheses and may hold spaces: count fields after the last ')'.
    const auto close = stat.rfind(')');
    if (close == std::string::npos) {
        return std::nullopt;
    }
    std::istringstream fields(stat.substr(close + 1));
    std::string field;
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    // After ')': state(3) ppid(4) ... utime(14) stime(15).
    for (int index = 3; index <= 15 && fields >> field; ++index) {
        if (index == 14) {
            utime = std::stoull(field);
        } else if (index == 15) {
            stime = std::stoull(field);
        }
    }
    static const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
    return std::chrono::microseconds((utime + stime) * 1'000'000ULL / ticks_per_second);
}

std::chrono::microseconds own_cpu_time() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    auto to_us = [](const timeval& tv) {
        return std::chrono::microseconds(tv.tv_sec * 1'000'000LL + tv.tv_usec);
    };
    return to_us(usage.ru_utime) + to_us(usage.ru_stime);
}

std::vector<pid_t> children_of(pid_t pid) {
    // /proc/<pid>/task/*/children needs CONFIG_PROC_CHILDREN, which not every kernel has; the
    // parent PID in every /proc/<n>/stat always works.
    std::vector<pid_t> children;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        std::ifstream in(entry.path() / "stat");
        std::string stat;
        if (!std::getline(in, stat)) {
            continue;
        }
        const auto close = stat.rfind(')');
        if (close == std::string::npos) {
            continue;
        }
        std::istringstream fields(stat.substr(close + 1));
        std::string state;
        pid_t parent = 0;
        if (fields >> state >> parent && parent == pid) {
            children.push_back(static_cast<pid_t>(std::stol(name)));
        }
    }
    return children;
}

std::chrono::microseconds cpu_time_of(const std::vector<pid_t>& pids) {
    std::chrono::microseconds total{0};
    for (const pid_t pid : pids) {
        total += read_cpu_time(pid).value_or(std::chrono::microseconds{0});
    }
    return total;
}

long rss_of(const std::vector<pid_t>& pids) {
    long total = 0;
    for (const pid_t pid : pids) {
        if (const auto usage = read_memory(pid)) {
            total += usage->rss_kb;
        }
    }
    return total;
}

}  // namespace lambdaport::bench
