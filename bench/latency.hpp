#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lambdaport::bench {

/// Percentiles of a set of latencies, in microseconds.
struct latency_summary {
    std::size_t count = 0;
    double p50_us = 0;
    double p99_us = 0;
    double mean_us = 0;
    double max_us = 0;
};

/// Summarises latencies given in nanoseconds (nearest-rank percentiles). Sorts `ns` in place.
inline latency_summary summarize(std::vector<std::int64_t>& ns) {
    latency_summary s;
    s.count = ns.size();
    if (ns.empty()) {
        return s;
    }
    std::sort(ns.begin(), ns.end());
    auto rank = [&](double p) {
        const auto index = static_cast<std::size_t>(std::ceil(p * static_cast<double>(ns.size())));
        return static_cast<double>(ns[std::clamp<std::size_t>(index, 1, ns.size()) - 1]) / 1e3;
    };
    s.p50_us = rank(0.50);
    s.p99_us = rank(0.99);
    double sum = 0;
    for (const auto v : ns) {
        sum += static_cast<double>(v);
    }
    s.mean_us = sum / static_cast<double>(ns.size()) / 1e3;
    s.max_us = static_cast<double>(ns.back()) / 1e3;
    return s;
}

inline std::int64_t elapsed_ns(std::chrono::steady_clock::time_point from,
                               std::chrono::steady_clock::time_point to) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count();
}

}  // namespace lambdaport::bench
