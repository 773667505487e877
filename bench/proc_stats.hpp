#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace lambdaport::bench {

/// The machine's load averages over 1, 5 and 15 minutes, as /proc/loadavg gives them.
std::string load_average();

/// Resident memory of a process from /proc/<pid>/status, in kB (kibibytes): VmRSS and its peak.
struct memory_usage {
    long rss_kb = 0;
    long peak_kb = 0;  ///< VmHWM
};
std::optional<memory_usage> read_memory(pid_t pid);

/// How many file descriptors a process has open (entries of /proc/<pid>/fd).
std::optional<std::size_t> count_fds(pid_t pid);

/// CPU time (user + system, all threads) a process has used so far, from /proc/<pid>/stat.
std::optional<std::chrono::microseconds> read_cpu_time(pid_t pid);

/// CPU time this process (the benchmark's own client threads) has used so far.
std::chrono::microseconds own_cpu_time();

/// The direct children of a process (by parent PID in /proc/*/stat) — for the engine, its
/// handler instances.
std::vector<pid_t> children_of(pid_t pid);

/// Sum of `read_cpu_time` over `pids`; processes that are gone count as zero.
std::chrono::microseconds cpu_time_of(const std::vector<pid_t>& pids);

/// Sum of VmRSS over `pids`, in kB.
long rss_of(const std::vector<pid_t>& pids);

}  // namespace lambdaport::bench
