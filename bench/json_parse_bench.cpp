// What the depth limits cost: json::parse against the SDK's event parser (parse_event) and the
// engine's util::parse_json, on a typical S3 event of about 1 KB and a 1 MB batch of S3 records.
// Prints CPU microseconds per parse (the best of 15 rounds) and the overhead in percent.

#include <time.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <lambdaport/detail/handler.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "util/json.hpp"

namespace {

using json = nlohmann::json;

std::string s3_record(int i) {
    const json record = {
        {"eventVersion", "2.1"},
        {"eventSource", "aws:s3"},
        {"awsRegion", "us-east-1"},
        {"eventTime", "2026-12-06T02:00:00.000Z"},
        {"eventName", "ObjectCreated:Put"},
        {"userIdentity", {{"principalId", "AWS:AIDAINPONIXQXHT3IKHL2"}}},
        {"requestParameters", {{"sourceIPAddress", "203.0.113.10"}}},
        {"responseElements",
         {{"x-amz-request-id", "C3D13FE58DE4C810"},
          {"x-amz-id-2", "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"}}},
        {"s3",
         {{"s3SchemaVersion", "1.0"},
          {"configurationId", "raw-data-created-by-the-pipeline-template"},
          {"bucket",
           {{"name", "local-raw-000000000000-us-east-1"},
            {"ownerIdentity", {{"principalId", "A3NL1KOZZKExample"}}},
            {"arn", "arn:aws:s3:::local-raw-000000000000-us-east-1"}}},
          {"object",
           {{"key", "trips/2026/12/06/part-" + std::to_string(i) + ".csv"},
            {"size", 1024 + i},
            {"eTag", "d41d8cd98f00b204e9800998ecf8427e"},
            {"versionId", "096fKKXTRTtl3on89fVO.nfljtsv6qko"},
            {"sequencer", "0055AED6DCD90281E5"}}}}}};
    return record.dump();
}

// CPU time of this thread, so that time spent descheduled on a busy machine does not count.
double cpu_us() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e6 + double(t.tv_nsec) / 1e3;
}

void measure(const char* name, const std::string& text, int reps) {
    auto plain = [](const std::string& t) {
        if (json::parse(t).empty()) {
            std::abort();
        }
    };
    auto sdk = [](const std::string& t) {
        json event;
        if (lambdaport::detail::parse_event(t, event) || event.empty()) {
            std::abort();
        }
    };
    auto engine = [](const std::string& t) {
        if (!lambdaport::runtime::util::parse_json(t)) {
            std::abort();
        }
    };
    // The three take turns within each round; the fastest round of each counts (interference
    // only ever adds time).
    std::array<double, 3> best{1e300, 1e300, 1e300};
    auto time = [&](std::size_t i, auto parse) {
        const double start = cpu_us();
        for (int r = 0; r < reps; ++r) {
            parse(text);
        }
        best[i] = std::min(best[i], (cpu_us() - start) / reps);
    };
    for (int round = 0; round < 15; ++round) {
        time(0, plain);
        time(1, sdk);
        time(2, engine);
    }
    std::printf(
        "%-4s %8zu bytes  json::parse %9.1f us  sdk parse_event %9.1f us (%+.1f%%)  "
        "engine parse_json %9.1f us (%+.1f%%)\n",
        name, text.size(), best[0], best[1], (best[1] / best[0] - 1) * 100, best[2],
        (best[2] / best[0] - 1) * 100);
}

}  // namespace

int main() {
    const std::string small = "{\"Records\":[" + s3_record(0) + "]}";
    std::string big = "{\"Records\":[";
    for (int i = 0; big.size() < (1u << 20); ++i) {
        big += (i == 0 ? "" : ",") + s3_record(i);
    }
    big += "]}";
    measure("1 KB", small, 20'000);
    measure("1 MB", big, 20);
}
