#include "async/event_queue.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>
#include <vector>

#include "log/log.hpp"
#include "pool/function_pool.hpp"
#include "util/text.hpp"

namespace lambdaport::runtime::async {
namespace {

using json = nlohmann::json;

json payload_value(std::string_view text) {
    // Payloads were checked as JSON on the way in; keep odd ones as strings rather than lose them.
    auto v = json::parse(text, nullptr, false);
    return v.is_discarded() ? json(std::string(text)) : v;
}

std::int64_t now_ms() {
    return util::epoch_ms(std::chrono::system_clock::now());
}

}  // namespace

std::string to_json(const event_record& r) {
    return json{{"request_id", r.request_id},   {"function", r.function}, {"payload", r.payload},
                {"accepted_ms", r.accepted_ms}, {"attempts", r.attempts}, {"source", r.source}}
        .dump();
}

bool from_json(std::string_view text, event_record& out) {
    auto v = json::parse(text, nullptr, false);
    if (!v.is_object()) {
        return false;
    }
    try {
        out.request_id = v.at("request_id").get<std::string>();
        out.function = v.at("function").get<std::string>();
        out.payload = v.at("payload").get<std::string>();
        out.accepted_ms = v.at("accepted_ms").get<std::int64_t>();
        out.attempts = v.at("attempts").get<unsigned>();
        out.source = v.value("source", "");
    } catch (const json::exception&) {
        return false;
    }
    return true;
}

std::string destination_record(const event_record& record, const std::string& function_arn,
                               std::string_view condition, std::string_view response_payload) {
    json out{
        {"version", "1.0"},
        {"timestamp", util::iso8601(std::chrono::system_clock::now())},
        {"requestContext",
         {{"requestId", record.request_id},
          {"functionArn", function_arn + ":$LATEST"},
          {"condition", condition},
          {"approximateInvokeCount", record.attempts}}},
        {"requestPayload", payload_value(record.payload)},
        {"responseContext",
         {{"statusCode", 200}, {"executedVersion", "$LATEST"}, {"functionError", "Unhandled"}}},
        {"responsePayload", payload_value(response_payload)}};
    return out.dump();
}

void write_atomically(const std::filesystem::path& file, std::string_view data) {
    std::filesystem::create_directories(file.parent_path());
    auto tmp = file;
    tmp += ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(), "cannot write " + tmp.string());
    }
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            int saved = errno;
            ::close(fd);
            throw std::system_error(saved, std::generic_category(), "cannot write " + tmp.string());
        }
        data.remove_prefix(std::size_t(n));
    }
    ::close(fd);
    // The page cache survives kill -9 of the engine; fsync would only add power-loss safety at the
    // price of milliseconds per event.
    std::filesystem::rename(tmp, file);
}

event_queue::event_queue(net::any_io_executor executor, std::filesystem::path state_dir)
    : executor_(std::move(executor)),
      queue_dir_(state_dir / "queue"),
      failures_dir_(state_dir / "failures") {}

std::filesystem::path event_queue::file_for(const event_record& record) {
    char name[64];
    std::snprintf(name, sizeof name, "%013lld-%06llu-", static_cast<long long>(record.accepted_ms),
                  static_cast<unsigned long long>(sequence_++ % 1'000'000));
    return queue_dir_ / record.function / (name + record.request_id + ".json");
}

void event_queue::store(const std::filesystem::path& file, const event_record& record) {
    write_atomically(file, to_json(record));
}

std::string event_queue::accept(pool::function_pool& fn, std::string payload, std::string source) {
    event_record record;
    record.source = std::move(source);
    record.request_id = util::make_uuid();
    record.function = fn.config().name;
    record.payload = std::move(payload);
    record.accepted_ms = now_ms();
    auto file = file_for(record);
    store(file, record);
    auto id = record.request_id;
    ++pending_;
    net::co_spawn(executor_, run(fn, std::move(record), std::move(file)),
                  log::report_exception{"async event"});
    return id;
}

void event_queue::recover(
    const std::map<std::string, pool::function_pool*, std::less<>>& functions) {
    std::error_code ec;
    if (!std::filesystem::is_directory(queue_dir_, ec)) {
        return;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& dir : std::filesystem::directory_iterator(queue_dir_, ec)) {
        for (const auto& entry : std::filesystem::directory_iterator(dir.path(), ec)) {
            if (entry.path().extension() == ".json") {
                files.push_back(entry.path());
            }
        }
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
        return a.filename() < b.filename();  // acceptance order
    });
    std::size_t recovered = 0;
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        event_record record;
        if (!from_json(text.str(), record)) {
            log::warn("unreadable queued event left in place", {{"file", file.string()}});
            continue;
        }
        auto it = functions.find(record.function);
        if (it == functions.end()) {
            log::warn("queued event for an unknown function left in place",
                      {{"file", file.string()}, {"function", record.function}});
            continue;
        }
        ++pending_;
        ++recovered;
        net::co_spawn(executor_, run(*it->second, std::move(record), file),
                      log::report_exception{"async event"});
    }
    if (recovered > 0) {
        log::info("recovered queued events", {{"count", std::to_string(recovered)}});
    }
}

net::awaitable<void> event_queue::run(pool::function_pool& fn, event_record record,
                                      std::filesystem::path file) {
    const auto& cfg = fn.config().async;
    std::string condition;
    std::string last_error;
    for (;;) {
        auto age = std::chrono::milliseconds{now_ms() - record.accepted_ms};
        if (age > cfg.max_event_age) {
            condition = "EventAgeExceeded";
            break;
        }
        // Lambda keeps the request id across the retries of one event.
        auto work =
            std::make_shared<pool::invocation>(executor_, record.request_id, record.payload);
        work->invoked_function_arn = fn.arn();
        work->trace_id = "Root=1-" + util::random_hex(8) + "-" + util::random_hex(24) +
                         ";Parent=" + util::random_hex(16) + ";Sampled=0";
        fn.submit(work, false);
        auto result = co_await work->wait();
        if (result.engine_stopping) {
            --pending_;
            co_return;  // still in the queue folder: the next engine runs it
        }
        ++record.attempts;
        if (!result.function_error) {
            break;
        }
        last_error = std::move(result.payload);
        if (record.attempts > cfg.max_retry_attempts) {
            condition = "RetriesExhausted";
            break;
        }
        try {
            store(file, record);  // so a restart knows how many attempts were made
        } catch (const std::exception& e) {
            log::warn("cannot update queued event", {{"file", file.string()}, {"error", e.what()}});
        }
        auto delay = cfg.retry_delays[std::min<std::size_t>(record.attempts - 1,
                                                            cfg.retry_delays.size() - 1)];
        net::steady_timer timer(executor_, delay);
        co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    }
    if (!condition.empty()) {
        ++failed_;
        if (!record.source.empty()) {
            ++failed_by_source_[record.source];
        }
        auto dir = cfg.failure_destination.empty() ? failures_dir_ / record.function
                                                   : cfg.failure_destination;
        try {
            write_atomically(dir / (record.request_id + ".json"),
                             destination_record(record, fn.arn(), condition, last_error));
            log::warn("async invocation failed", {{"function", record.function},
                                                  {"request_id", record.request_id},
                                                  {"condition", condition},
                                                  {"attempts", std::to_string(record.attempts)}});
        } catch (const std::exception& e) {
            // Keep the event in the queue rather than lose it.
            log::error("cannot write failure record; event kept in queue",
                       {{"request_id", record.request_id}, {"error", e.what()}});
            --pending_;
            co_return;
        }
    }
    std::error_code ec;
    std::filesystem::remove(file, ec);
    --pending_;
}

}  // namespace lambdaport::runtime::async
