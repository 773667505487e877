#include "async/event_queue.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <system_error>
#include <vector>

#include "log/log.hpp"
#include "pool/function_pool.hpp"
#include "util/json.hpp"
#include "util/json_dump.hpp"
#include "util/text.hpp"

namespace lambdaport::runtime::async {
namespace {

using json = nlohmann::json;

// A payload as a member of a record: the JSON text itself, or a string of it when it is not JSON
// (keep odd ones rather than lose them). Spliced in as text, never built into a value: writing a
// value recurses once per level of nesting, and a caller's payload may nest half a million deep.
// json::accept reads without recursion and refuses what is not UTF-8.
void append_payload(std::string& out, std::string_view text) {
    if (json::accept(text)) {
        out += text;
    } else {
        out += json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
    }
}

std::int64_t now_ms() {
    return util::epoch_ms(std::chrono::system_clock::now());
}

// Reads a record's fields but not its payload. Records written by to_json() hold the payload last,
// so reading stops there; older ones (keys in alphabetical order) are read to the end, their
// payload passing through without being kept.
class index_reader final : public json::json_sax_t {
  public:
    explicit index_reader(event_record& out) : out_(out) {}

    /// Whether the file held a record (as far as it was read).
    bool ok() const {
        return !bad_ && (seen_ & required) == required && (at_payload_ || (seen_ & payload) != 0);
    }

    bool null() override { return other(); }
    bool boolean(bool) override { return other(); }
    bool number_float(number_float_t, const string_t&) override { return other(); }
    bool binary(binary_t&) override { return other(); }

    bool number_integer(number_integer_t v) override { return integer(v); }
    bool number_unsigned(number_unsigned_t v) override {
        return v > std::uint64_t(std::numeric_limits<std::int64_t>::max())
                   ? other()
                   : integer(std::int64_t(v));
    }

    bool string(string_t& v) override {
        if (depth_ != 1) {
            return true;
        }
        if (key_ == "request_id") {
            out_.request_id = std::move(v);
            seen_ |= request_id;
        } else if (key_ == "function") {
            out_.function = std::move(v);
            seen_ |= function;
        } else if (key_ == "source") {
            out_.source = std::move(v);
        } else if (key_ == "payload") {
            seen_ |= payload;  // the payload itself is not kept
        } else {
            return other();
        }
        return true;
    }

    bool start_object(std::size_t) override { return nested(); }
    bool start_array(std::size_t) override { return depth_ == 0 ? fail() : nested(); }
    bool end_object() override {
        --depth_;
        return true;
    }
    bool end_array() override {
        --depth_;
        return true;
    }

    bool key(string_t& k) override {
        if (depth_ == 1) {
            key_ = std::move(k);
            if (key_ == "payload" && (seen_ & required) == required) {
                at_payload_ = true;
                return false;  // everything the index needs was before it
            }
        }
        return true;
    }

    bool parse_error(std::size_t, const std::string&, const json::exception&) override {
        return fail();
    }

  private:
    static constexpr unsigned request_id = 1, function = 2, accepted = 4, attempts = 8,
                              payload = 16, required = request_id | function | accepted | attempts;

    bool fail() {
        bad_ = true;
        return false;
    }
    // A value of the wrong type for one of our keys makes the file something else.
    bool other() {
        return depth_ == 1 && (key_ == "request_id" || key_ == "function" || key_ == "source" ||
                               key_ == "payload" || key_ == "accepted_ms" || key_ == "attempts")
                   ? fail()
                   : true;
    }
    bool nested() {
        if (depth_ == 1 && !other()) {
            return false;
        }
        ++depth_;
        return true;
    }
    bool integer(std::int64_t v) {
        if (depth_ != 1) {
            return true;
        }
        if (key_ == "accepted_ms") {
            out_.accepted_ms = v;
            seen_ |= accepted;
        } else if (key_ == "attempts" && v >= 0 && v <= std::numeric_limits<unsigned>::max()) {
            out_.attempts = unsigned(v);
            seen_ |= attempts;
        } else {
            return other();
        }
        return true;
    }

    event_record& out_;
    std::string key_;
    int depth_ = 0;
    unsigned seen_ = 0;
    bool at_payload_ = false;
    bool bad_ = false;
};

bool load(const std::filesystem::path& file, event_record& out) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return false;
    }
    std::string text;
    in.seekg(0, std::ios::end);
    auto size = in.tellg();
    if (size <= 0) {
        return false;
    }
    text.resize(std::size_t(size));
    in.seekg(0);
    if (!in.read(text.data(), size)) {
        return false;
    }
    return from_json(text, out);
}

}  // namespace

std::string to_json(const event_record& r) {
    // Every field before the payload: read_index() stops where the payload starts. As
    // util::dump_json does, invalid UTF-8 is replaced rather than thrown on.
    nlohmann::ordered_json doc;
    doc["request_id"] = r.request_id;
    doc["function"] = r.function;
    doc["accepted_ms"] = r.accepted_ms;
    doc["attempts"] = r.attempts;
    doc["source"] = r.source;
    doc["payload"] = r.payload;
    return doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

bool from_json(std::string_view text, event_record& out) {
    const auto v = util::parse_json(text).value_or(nullptr);
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

bool read_index(const std::filesystem::path& file, event_record& out) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return false;
    }
    index_reader reader(out);
    json::sax_parse(in, &reader);
    return reader.ok();
}

std::string destination_record(const event_record& record, const std::string& function_arn,
                               std::string_view condition, std::string_view response_payload) {
    json head{
        {"version", "1.0"},
        {"timestamp", util::iso8601(std::chrono::system_clock::now())},
        {"requestContext",
         {{"requestId", record.request_id},
          {"functionArn", function_arn + ":$LATEST"},
          {"condition", condition},
          {"approximateInvokeCount", record.attempts}}},
        {"responseContext",
         {{"statusCode", 200}, {"executedVersion", "$LATEST"}, {"functionError", "Unhandled"}}}};
    std::string out = util::dump_json(head);
    out.pop_back();  // the closing brace
    out += ",\"requestPayload\":";
    append_payload(out, record.payload);
    out += ",\"responsePayload\":";
    append_payload(out, response_payload);
    out += '}';
    return out;
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

event_queue::event_queue(net::any_io_executor executor, std::filesystem::path state_dir,
                         std::size_t limit)
    : executor_(std::move(executor)),
      queue_dir_(state_dir / "queue"),
      failures_dir_(state_dir / "failures"),
      limit_(limit) {}

std::filesystem::path event_queue::file_for(const event_record& record) {
    char name[64];
    std::snprintf(name, sizeof name, "%013lld-%06llu-", static_cast<long long>(record.accepted_ms),
                  static_cast<unsigned long long>(sequence_++ % 1'000'000));
    return queue_dir_ / record.function / (name + record.request_id + ".json");
}

std::optional<std::string> event_queue::accept(pool::function_pool& fn, std::string payload,
                                               std::string source) {
    if (full()) {
        if (!full_logged_) {
            full_logged_ = true;
            log::warn("async queue full; events refused until some finish",
                      {{"pending", std::to_string(pending_)}, {"limit", std::to_string(limit_)}});
        }
        return std::nullopt;
    }
    full_logged_ = false;
    event_record record;
    record.source = std::move(source);
    record.request_id = util::make_uuid();
    record.function = fn.config().name;
    record.payload = std::move(payload);
    record.accepted_ms = now_ms();
    auto file = file_for(record);
    write_atomically(file, to_json(record));
    ++pending_;
    add(fn, {record.request_id, std::move(file), record.accepted_ms, 0, std::move(record.source)});
    return std::move(record.request_id);
}

void event_queue::add(pool::function_pool& fn, queued_event event) {
    auto& l = lanes_[fn.config().name];
    l.fn = &fn;
    l.ready.push_back(std::move(event));
    schedule(l);
}

void event_queue::schedule(lane& l) {
    // No more events in the pool than it can run at once: the others wait here, as an index
    // entry, and their payloads stay on disk.
    const std::size_t slots = std::max(1u, l.fn->config().concurrency);
    while (!stopping_ && l.running < slots && !l.ready.empty()) {
        ++l.running;
        auto event = std::move(l.ready.front());
        l.ready.pop_front();
        net::co_spawn(executor_, run(&l, std::move(event)), log::report_exception{"async event"});
    }
}

void event_queue::recover(
    const std::map<std::string, pool::function_pool*, std::less<>>& functions) {
    std::error_code ec;
    // A temporary file is what write_atomically() left when the engine was killed before its
    // rename: never a record. Only files of that name pattern are removed.
    std::size_t removed = 0;
    for (const auto& top : {queue_dir_, failures_dir_}) {
        for (const auto& dir : std::filesystem::directory_iterator(top, ec)) {
            std::error_code dir_ec;
            for (const auto& entry : std::filesystem::directory_iterator(dir.path(), dir_ec)) {
                auto name = entry.path().filename().string();
                if (name.ends_with(std::string(".json") + std::string(temporary_suffix)) &&
                    entry.is_regular_file(dir_ec) &&
                    std::filesystem::remove(entry.path(), dir_ec)) {
                    ++removed;
                }
            }
        }
    }
    if (removed > 0) {
        log::info("removed temporary files of an interrupted engine",
                  {{"count", std::to_string(removed)}});
    }
    if (!std::filesystem::is_directory(queue_dir_, ec)) {
        return;
    }

    std::vector<std::filesystem::path> files;
    for (const auto& dir : std::filesystem::directory_iterator(queue_dir_, ec)) {
        std::error_code dir_ec;
        for (const auto& entry : std::filesystem::directory_iterator(dir.path(), dir_ec)) {
            if (entry.path().extension() == ".json") {
                files.push_back(entry.path());
            }
        }
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
        return a.filename() < b.filename();  // acceptance order
    });
    std::size_t recovered = 0;
    for (auto& file : files) {
        event_record record;
        if (!read_index(file, record)) {
            log::warn("unreadable queued event left in place", {{"file", file.string()}});
            continue;
        }
        auto it = functions.find(record.function);
        if (it == functions.end()) {
            log::warn("queued event for an unknown function left in place",
                      {{"file", file.string()}, {"function", record.function}});
            continue;
        }
        // Accepted before: it is run even when there are more of them than the limit now.
        ++pending_;
        ++recovered;
        add(*it->second, {std::move(record.request_id), std::move(file), record.accepted_ms,
                          record.attempts, std::move(record.source)});
    }
    if (recovered > 0) {
        log::info("recovered queued events", {{"count", std::to_string(recovered)}});
    }
}

net::awaitable<void> event_queue::run(lane* lane_ptr, queued_event event) {
    auto& l = *lane_ptr;  // lanes_ is a map: its elements stay where they are
    auto& fn = *l.fn;
    const auto& cfg = fn.config().async;
    std::string condition;
    std::string last_error;
    bool retry = false;
    if (std::chrono::milliseconds{now_ms() - event.accepted_ms} > cfg.max_event_age) {
        condition = "EventAgeExceeded";
    } else {
        event_record record;
        if (!load(event.file, record)) {
            // Only a complete record runs; the file stays for a person to look at.
            log::error("unreadable queued event left in place", {{"file", event.file.string()}});
            --l.running;
            --pending_;
            schedule(l);
            co_return;
        }
        // The payload moves into the invocation, which hands it to the handler: after the attempt
        // nothing holds it.
        // Lambda keeps the request id across the retries of one event.
        auto work = std::make_shared<pool::invocation>(executor_, event.request_id,
                                                       std::move(record.payload));
        work->invoked_function_arn = fn.arn();
        work->trace_id = "Root=1-" + util::random_hex(8) + "-" + util::random_hex(24) +
                         ";Parent=" + util::random_hex(16) + ";Sampled=0";
        fn.submit(work, false);
        auto result = co_await work->wait();
        if (result.engine_stopping) {
            stopping_ = true;  // the file stays in the queue folder: the next engine runs it
            --l.running;
            --pending_;
            co_return;
        }
        ++event.attempts;
        if (result.function_error) {
            last_error = std::move(result.payload);
            if (event.attempts > cfg.max_retry_attempts) {
                condition = "RetriesExhausted";
            } else {
                retry = true;
            }
        }
    }
    --l.running;
    schedule(l);

    if (retry) {
        store_attempts(event);
        auto delay = cfg.retry_delays[std::min<std::size_t>(event.attempts - 1,
                                                            cfg.retry_delays.size() - 1)];
        net::steady_timer timer(executor_, delay);
        co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        l.ready.push_back(std::move(event));
        schedule(l);
        co_return;
    }
    if (!condition.empty() && !record_failure(fn, event, condition, last_error)) {
        --pending_;  // kept in the queue folder rather than lost
        co_return;
    }
    std::error_code ec;
    std::filesystem::remove(event.file, ec);
    --pending_;
}

void event_queue::store_attempts(const queued_event& event) {
    // So that a restart knows how many attempts were made.
    event_record record;
    try {
        if (!load(event.file, record)) {
            throw std::runtime_error("not a queued event");
        }
        record.attempts = event.attempts;
        write_atomically(event.file, to_json(record));
    } catch (const std::exception& e) {
        log::warn("cannot update queued event",
                  {{"file", event.file.string()}, {"error", e.what()}});
    }
}

bool event_queue::record_failure(pool::function_pool& fn, const queued_event& event,
                                 std::string_view condition, std::string_view last_error) {
    const auto& cfg = fn.config().async;
    ++failed_;
    if (!event.source.empty()) {
        ++failed_by_source_[event.source];
    }
    auto dir = cfg.failure_destination.empty() ? failures_dir_ / fn.config().name
                                               : cfg.failure_destination;
    try {
        event_record record;
        if (!load(event.file, record)) {
            throw std::runtime_error("cannot read " + event.file.string());
        }
        record.attempts = event.attempts;
        write_atomically(dir / (event.request_id + ".json"),
                         destination_record(record, fn.arn(), condition, last_error));
        log::warn("async invocation failed", {{"function", fn.config().name},
                                              {"request_id", event.request_id},
                                              {"condition", std::string(condition)},
                                              {"attempts", std::to_string(event.attempts)}});
        return true;
    } catch (const std::exception& e) {
        log::error("cannot write failure record; event kept in queue",
                   {{"request_id", event.request_id}, {"error", e.what()}});
        return false;
    }
}

}  // namespace lambdaport::runtime::async
