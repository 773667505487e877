// record: writes down every event it receives, then answers the way the event asks. The event
// sources' tests and benchmarks run it: each invocation appends one JSON line
//   {"t_ns": <wall clock at handler start, ns>, "request_id": ..., "function": ..., "event": ...}
// to $RECORD_DIR/<function>.jsonl (one write(2) with O_APPEND, so lines never interleave and
// survive a kill of the engine). Without RECORD_DIR it records nothing: a no-op handler.
// RECORD_DELAY_MS makes every invocation take that long more (a slow consumer).
//
// Answers, so that tests can provoke every outcome:
// - an SQS batch: {"batchItemFailures": [...]} listing the records whose body contains "FAIL",
//   or "RETRY" on its first receive (ApproximateReceiveCount 1); a body containing "MALFORMED"
//   makes the answer name a message id that is not in the batch;
// - a body, key or event containing "ERROR" throws (a function error);
// - anything else: {"recorded": true}.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <lambdaport/runtime.hpp>
#include <stdexcept>
#include <string>
#include <thread>

using json = nlohmann::json;

namespace {

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void append(const std::string& file, const std::string& line) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::runtime_error("cannot open " + file);
    }
    ssize_t n = ::write(fd, line.data(), line.size());
    ::close(fd);
    if (n != static_cast<ssize_t>(line.size())) {
        throw std::runtime_error("cannot write " + file);
    }
}

json answer(const json& event) {
    if (!event.is_object() || !event.contains("Records") || !event["Records"].is_array()) {
        if (event.dump().find("ERROR") != std::string::npos) {
            throw std::runtime_error("the event asked for an error");
        }
        return {{"recorded", true}};
    }
    json failures = json::array();
    for (const auto& r : event["Records"]) {
        if (r.value("eventSource", "") == "aws:sqs") {
            auto body = r.value("body", "");
            if (body.find("ERROR") != std::string::npos) {
                throw std::runtime_error("message " + r.value("messageId", "") +
                                         " asked for an error");
            }
            if (body.find("MALFORMED") != std::string::npos) {
                failures.push_back({{"itemIdentifier", "not-a-message-id"}});
            } else if (body.find("FAIL") != std::string::npos ||
                       (body.find("RETRY") != std::string::npos &&
                        r["attributes"].value("ApproximateReceiveCount", "") == "1")) {
                failures.push_back({{"itemIdentifier", r.value("messageId", "")}});
            }
        } else if (r.dump().find("ERROR") != std::string::npos) {
            throw std::runtime_error("the record asked for an error");
        }
    }
    return {{"batchItemFailures", failures}};
}

}  // namespace

int main() {
    const char* dir = std::getenv("RECORD_DIR");
    std::string file;
    if (dir && *dir) {
        const char* fn = std::getenv("AWS_LAMBDA_FUNCTION_NAME");
        file = std::string(dir) + "/" + (fn ? fn : "function") + ".jsonl";
    }
    const char* delay_text = std::getenv("RECORD_DELAY_MS");
    const auto delay = std::chrono::milliseconds(delay_text ? std::atoi(delay_text) : 0);
    return lambdaport::run([&](std::string_view payload, const lambdaport::context& ctx) {
        auto start = now_ns();
        auto event = json::parse(payload, nullptr, false);
        if (!file.empty()) {
            json line{{"t_ns", start},
                      {"request_id", ctx.request_id()},
                      {"function", ctx.function_name()},
                      {"event", event.is_discarded() ? json(std::string(payload)) : event}};
            append(file, line.dump() + "\n");
        }
        if (delay.count() > 0) {
            std::this_thread::sleep_for(delay);
        }
        return answer(event).dump();
    });
}
