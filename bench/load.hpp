#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "latency.hpp"

namespace lambdaport::bench {

/// Where a server under load spends CPU, over a measured window.
struct cpu_split {
    std::chrono::microseconds server{0};    ///< the server process (engine or floor), all threads
    std::chrono::microseconds handlers{0};  ///< its child processes (handler instances)
    std::chrono::microseconds client{0};    ///< this benchmark's client threads
};

/// What one load run measured.
struct load_result {
    latency_summary latency;
    std::size_t completed = 0;  ///< requests measured (warm-up excluded)
    double seconds = 0;         ///< length of the measured window
    double per_second = 0;
    std::size_t errors = 0;  ///< non-200 answers, function errors and failed requests
    std::string first_error;
    cpu_split cpu;
};

/// The server being measured: where to send requests, and whose CPU to count.
struct target {
    unsigned short port = 0;
    std::string path;     ///< request target, e.g. /2015-03-31/functions/hello/invocations
    std::string payload;  ///< JSON body
    pid_t server_pid = -1;
    bool count_children = false;  ///< count the server's child processes' CPU too
};

/// Sequential requests over one kept-alive connection: `warmup` requests first, then up to
/// `max_requests` or `max_duration`, whichever comes first.
load_result run_sequential(const target& t, std::size_t warmup, std::size_t max_requests,
                           std::chrono::duration<double> max_duration);

/// `clients` threads, each with its own kept-alive connection, sending back-to-back requests:
/// `warmup` unmeasured, then `duration` measured.
load_result run_concurrent(const target& t, std::size_t clients,
                           std::chrono::duration<double> warmup,
                           std::chrono::duration<double> duration);

}  // namespace lambdaport::bench
