#include "sources/bucket_source.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <lambdaport/storage.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "aws/uri.hpp"
#include "log/log.hpp"
#include "sources/bucket_notifications.hpp"
#include "sources/checkpoint.hpp"
#include "sources/endpoints.hpp"
#include "sources/s3_event.hpp"
#include "util/json_dump.hpp"
#include "util/text.hpp"

namespace lambdaport::runtime::sources {
namespace {

using namespace std::chrono_literals;
using config::bucket_source_config;
using clock = std::chrono::steady_clock;

bool is_local(const config::storage_config& storage) {
    if (storage.type == config::storage_config::kind::inherit) {
        return storage::store::from_environment().describe().starts_with("file://");
    }
    return storage.type == config::storage_config::kind::file;
}

// ETags as listings give them: in quotes.
std::string quoted_etag(std::string_view etag) {
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
        return std::string(etag);
    }
    return "\"" + std::string(etag) + "\"";
}

// Where and as whom the engine's S3-compatible storage is reached.
storage::store::s3_settings s3_settings_of(const config::storage_config& storage,
                                           const std::string& region) {
    auto settings = storage::store::s3_settings::from_environment();
    if (storage.type == config::storage_config::kind::s3) {
        settings.endpoint = storage.endpoint;
    } else if (const char* v = std::getenv("LAMBDAPORT_STORAGE");
               v && (std::string_view(v).starts_with("http://") ||
                     std::string_view(v).starts_with("https://"))) {
        settings.endpoint = v;
    }
    if (settings.region.empty()) {
        settings.region = region;
    }
    return settings;
}

class bucket_source final : public source {
  public:
    bucket_source(const config::function_config& fn, const config::event_source_config& ev,
                  delivery& to, const source_environment& env)
        : fn_(fn),
          ev_(ev),
          cfg_(ev.bucket),
          to_(to),
          env_(env),
          push_(cfg_.how == bucket_source_config::mode::push) {}

    ~bucket_source() override {
        request_stop();
        join();
        if (inotify_ >= 0) {
            ::close(inotify_);
        }
        if (wake_ >= 0) {
            ::close(wake_);
        }
    }

    void start() override {
        auto where = "functions." + fn_.name + ".events." + ev_.name;
        local_ = is_local(env_.storage);
        watch_ = cfg_.how == bucket_source_config::mode::watch ||
                 (cfg_.how == bucket_source_config::mode::automatic && local_);
        if (watch_ && !local_) {
            throw std::runtime_error(where +
                                     ": mode \"watch\" needs local-disk storage; the engine's "
                                     "storage is S3 (use \"poll\" or \"auto\")");
        }
        if (push_ && local_) {
            throw std::runtime_error(where +
                                     ": mode \"push\" needs an S3-compatible server that pushes "
                                     "notifications; the engine's storage is local disk (use "
                                     "\"watch\" or \"auto\")");
        }
        if (push_ && (!env_.loopback_only || env_.invoke_api_signed) &&
            cfg_.push_token.empty()) {
            throw std::runtime_error(where +
                                     ".push_token: required when the Invoke API verifies "
                                     "signatures or listens beyond loopback (a storage server "
                                     "cannot sign its pushes)");
        }
        try {
            store_.emplace(open_store(env_.storage, env_.region));
            checkpoint_.emplace(env_.state_dir / "sources" / fn_.name / ev_.name);
        } catch (const std::exception& e) {
            throw std::runtime_error(where + ": " + e.what());
        }
        if (local_) {
            root_ = env_.storage.type == config::storage_config::kind::file
                        ? env_.storage.root
                        : std::filesystem::path(
                              store_->describe().substr(std::string_view("file://").size()));
            std::error_code ec;
            std::filesystem::create_directories(root_ / cfg_.bucket, ec);
        }
        // Without `existing`, the first run notes what is there before the engine says it is
        // listening and before the folder is watched: whatever arrives after that is new.
        if (checkpoint_->fresh() && !cfg_.existing) {
            try {
                baseline();
            } catch (const std::exception& e) {
                throw std::runtime_error(where + ": cannot list the bucket's existing objects: " +
                                         e.what());
            }
        }
        if (push_) {
            push_url_ = cfg_.push_endpoint;
            if (push_url_.empty()) {
                push_url_ = env_.engine_url + "/lambdaport/notifications/" +
                            detail::aws::uri_encode(fn_.name) + "/" +
                            detail::aws::uri_encode(ev_.name);
            }
            if (!cfg_.push_token.empty() && cfg_.push_endpoint.empty()) {
                push_url_ += "?token=" + cfg_.push_token;
            }
            if (cfg_.configure_server) {
                notification_setup setup{s3_settings_of(env_.storage, env_.region),
                                         cfg_.bucket,
                                         "lambdaport-" + fn_.name + "-" + ev_.name,
                                         push_url_,
                                         cfg_.prefix,
                                         cfg_.suffix};
                try {
                    configure_notifications(setup);
                } catch (const std::exception& e) {
                    throw std::runtime_error(
                        where + ": cannot set up the server's notifications (" + e.what() +
                        "); set \"configure_server\": false and configure them by hand, or use "
                        "\"mode\": \"poll\"");
                }
            }
        }
        wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (wake_ < 0) {
            throw std::runtime_error(where + ": eventfd: " + std::strerror(errno));
        }
        if (watch_) {
            inotify_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
            if (inotify_ < 0) {
                throw std::runtime_error(where + ": inotify: " + std::strerror(errno));
            }
            add_watches("");
        }
        log::info("event source", {{"function", fn_.name},
                                   {"event", ev_.name},
                                   {"type", "s3"},
                                   {"bucket", cfg_.bucket},
                                   {"prefix", cfg_.prefix},
                                   {"suffix", cfg_.suffix},
                                   {"mode", mode_name()},
                                   {"storage", store_->describe()},
                                   {"checkpointed", std::to_string(checkpoint_->size())}});
        thread_ = std::thread([this] { run(); });
    }

    void request_stop() override {
        stopping_ = true;
        if (wake_ >= 0) {
            std::uint64_t one = 1;
            [[maybe_unused]] auto n = ::write(wake_, &one, sizeof one);
        }
    }

    void join() override {
        if (thread_.joinable()) {
            thread_.join();
        }
    }

    nlohmann::json status() const override {
        auto out = counters_.to_json();
        out["function"] = fn_.name;
        out["event"] = ev_.name;
        out["type"] = "s3";
        out["bucket"] = cfg_.bucket;
        out["mode"] = mode_name();
        out["skipped"] = skipped_.load();
        if (push_) {
            out["pushed"] = pushed_.load();
            out["push_duplicates"] = push_duplicates_.load();
        }
        // Handed over to the async queue, an event fails there: after its retries.
        out["failed"] = counters_.failed.load() + to_.failed_in_queue(fn_.name + "/" + ev_.name);
        return out;
    }

    bool takes_pushes() const override { return push_; }
    const std::string& push_token() const override { return cfg_.push_token; }

    push_answer receive_push(std::string_view body) override {
        if (!checkpoint_ || !thread_.joinable()) {
            return {503, "ServiceException", "The event source is not started yet."};
        }
        push_answer answer;
        std::vector<object_event> events;
        try {
            events = parse_pushed_notification(body);
        } catch (const std::invalid_argument& e) {
            log::warn("malformed notification refused",
                      {{"function", fn_.name}, {"event", ev_.name}, {"error", e.what()}});
            return {400, "InvalidRequestContentException",
                    std::string("Could not read the notification: ") + e.what()};
        }
        for (auto& event : events) {
            if (event.bucket != cfg_.bucket || !matches(event.key) ||
                !event.event_name.starts_with("ObjectCreated:") || !wanted(event.event_name)) {
                ++answer.ignored;
                continue;
            }
            std::string etag = quoted_etag(event.etag.empty() ? event.sequencer : event.etag);
            if (!claim(event.key, etag)) {
                ++answer.duplicates;
                continue;
            }
            auto payload = util::dump_json(make_s3_notification(event, env_.region, ev_.name));
            std::optional<std::string> id;
            try {
                id = to_.try_enqueue_here(std::move(payload), fn_.name + "/" + ev_.name);
            } catch (const std::exception& e) {
                release(event.key, etag, false);
                log::error("cannot queue a pushed object event; the server sends it again",
                           {{"function", fn_.name}, {"key", event.key}, {"error", e.what()}});
                return {503, "ServiceException",
                        std::string("Cannot store the event: ") + e.what()};
            }
            if (!id || id->empty()) {
                release(event.key, etag, false);
                return id ? push_answer{503, "ServiceException", "The engine is stopping."}
                          : push_answer{503, "TooManyRequestsException",
                                        "The async queue is full: send again later."};
            }
            release(event.key, etag, true);
            ++answer.stored;
            ++pushed_;
            ++counters_.delivered;
            counters_.lag_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now() - event.time)
                                   .count();
        }
        push_duplicates_ += answer.duplicates;
        return answer;
    }

  private:
    const char* mode_name() const { return push_ ? "push" : watch_ ? "watch" : "poll"; }

    // Takes the object (key, ETag) for delivery unless it was handed over or is being handed
    // over now (by the listing thread or a push): each is handed over once.
    bool claim(const std::string& key, const std::string& etag) {
        std::lock_guard lock(mutex_);
        if (checkpoint_->contains(key, etag) || in_flight_.contains({key, etag})) {
            return false;
        }
        in_flight_.insert({key, etag});
        return true;
    }

    // Ends a claim: recorded as handed over when `delivered`.
    void release(const std::string& key, const std::string& etag, bool delivered) {
        std::lock_guard lock(mutex_);
        in_flight_.erase({key, etag});
        if (delivered) {
            checkpoint_->record(key, etag);
        }
    }

    bool handed_over(const std::string& key, const std::string& etag) {
        std::lock_guard lock(mutex_);
        return checkpoint_->contains(key, etag);
    }

    std::chrono::milliseconds scan_interval() const {
        return watch_ || push_ ? cfg_.rescan_interval : cfg_.poll_interval;
    }

    void run() {
        try {
            scan("");
            // A server applies a new notification configuration after a moment (radosgw: about
            // 2 s), so what is written meanwhile is not pushed: the first listing comes soon.
            auto next_scan =
                clock::now() + (push_ ? std::min<std::chrono::milliseconds>(scan_interval(), 5s)
                                      : scan_interval());
            while (!stopping_) {
                auto wait =
                    std::chrono::duration_cast<std::chrono::milliseconds>(next_scan - clock::now());
                if (wait.count() > 0 && wait_for_events(wait)) {
                    continue;
                }
                if (stopping_) {
                    break;
                }
                if (clock::now() >= next_scan) {
                    scan("");
                    next_scan = clock::now() + scan_interval();
                }
            }
        } catch (const std::exception& e) {
            log::error("event source stopped",
                       {{"function", fn_.name}, {"event", ev_.name}, {"error", e.what()}});
        }
    }

    // Waits up to `wait` for inotify events or a stop; handles the events. Returns true when it
    // handled something (the caller loops without scanning).
    bool wait_for_events(std::chrono::milliseconds wait) {
        pollfd fds[2] = {{wake_, POLLIN, 0}, {inotify_, POLLIN, 0}};
        int n =
            ::poll(fds, inotify_ >= 0 ? 2 : 1, int(std::min<long long>(wait.count(), 1'000'000)));
        if (n <= 0 || stopping_) {
            return false;
        }
        if (inotify_ >= 0 && (fds[1].revents & POLLIN)) {
            read_inotify();
            return true;
        }
        return false;
    }

    void read_inotify() {
        alignas(inotify_event) char buffer[64 * 1024];
        std::vector<std::string> files;
        std::vector<std::string> folders;
        bool overflow = false;
        for (;;) {
            ssize_t n = ::read(inotify_, buffer, sizeof buffer);
            if (n <= 0) {
                break;
            }
            for (char* p = buffer; p < buffer + n;) {
                auto* e = reinterpret_cast<inotify_event*>(p);
                p += sizeof(inotify_event) + e->len;
                if (e->mask & IN_Q_OVERFLOW) {
                    overflow = true;
                    continue;
                }
                if (e->mask & IN_IGNORED) {
                    watches_.erase(e->wd);
                    continue;
                }
                auto it = watches_.find(e->wd);
                if (it == watches_.end() || e->len == 0) {
                    continue;
                }
                auto key = it->second.empty() ? std::string(e->name)
                                              : it->second + "/" + std::string(e->name);
                if (e->mask & IN_ISDIR) {
                    if (e->mask & (IN_CREATE | IN_MOVED_TO)) {
                        folders.push_back(std::move(key));
                    }
                } else if (e->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) {
                    files.push_back(std::move(key));
                }
            }
        }
        if (overflow) {
            log::warn("inotify queue overflowed; rescanning",
                      {{"function", fn_.name}, {"event", ev_.name}});
            scan("");
            return;
        }
        for (const auto& folder : folders) {
            // Files may have landed in it before its watch existed: list it once watched.
            add_watches(folder);
            scan(folder + "/");
        }
        for (const auto& key : files) {
            if (!matches(key)) {
                continue;
            }
            try {
                deliver(store_->head(cfg_.bucket, key));
            } catch (const storage::storage_error& e) {
                // Gone again, or a name that cannot be an object key: nothing to deliver.
                if (e.code() != "NoSuchKey") {
                    ++skipped_;
                    log::warn("object skipped", {{"function", fn_.name},
                                                 {"event", ev_.name},
                                                 {"key", key},
                                                 {"error", e.what()}});
                }
            }
        }
    }

    // Watches the folder of `prefix` (relative to the bucket) and every folder below it.
    void add_watches(const std::string& relative) {
        auto dir = relative.empty() ? root_ / cfg_.bucket : root_ / cfg_.bucket / relative;
        constexpr std::uint32_t mask =
            IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR | IN_EXCL_UNLINK;
        int wd = ::inotify_add_watch(inotify_, dir.c_str(), mask);
        if (wd < 0) {
            log::warn("cannot watch folder", {{"function", fn_.name},
                                              {"folder", dir.string()},
                                              {"error", std::strerror(errno)}});
            return;
        }
        watches_[wd] = relative;
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
            if (entry.is_directory(ec) && !entry.is_symlink(ec)) {
                auto name = entry.path().filename().string();
                add_watches(relative.empty() ? name : relative + "/" + name);
            }
        }
    }

    bool wanted(const std::string& event_name) const {
        for (const auto& e : cfg_.events) {
            if (e == "ObjectCreated:*" || e == event_name) {
                return true;
            }
        }
        return false;
    }

    bool matches(std::string_view key) const {
        return key.starts_with(cfg_.prefix) && key.ends_with(cfg_.suffix) &&
               key.size() >= cfg_.prefix.size() + cfg_.suffix.size();
    }

    // Lists the bucket (under `under`, a folder's prefix, or everything under the configured
    // prefix) and delivers every object not handed over yet.
    void scan(const std::string& under) {
        ++counters_.polls;
        std::vector<storage::object_info> objects;
        auto prefix = under.size() > cfg_.prefix.size() ? under : cfg_.prefix;
        try {
            objects = store_->list_all(cfg_.bucket, prefix);
            if (!last_error_.empty()) {
                log::info("event source recovered", {{"function", fn_.name}, {"event", ev_.name}});
                last_error_.clear();
            }
        } catch (const std::exception& e) {
            if (last_error_ != e.what()) {
                last_error_ = e.what();
                log::warn("cannot list bucket", {{"function", fn_.name},
                                                 {"event", ev_.name},
                                                 {"bucket", cfg_.bucket},
                                                 {"error", e.what()}});
            }
            return;
        }
        std::vector<const storage::object_info*> fresh;
        for (const auto& o : objects) {
            if (matches(o.key) && !handed_over(o.key, o.etag)) {
                fresh.push_back(&o);
            }
        }
        counters_.backlog = fresh.size();
        // Oldest first, as they were written.
        std::stable_sort(fresh.begin(), fresh.end(),
                         [](auto* a, auto* b) { return a->last_modified < b->last_modified; });
        for (auto* o : fresh) {
            if (stopping_) {
                return;
            }
            deliver(*o);
            if (counters_.backlog > 0) {
                --counters_.backlog;
            }
        }
    }

    // Without `existing`, a source's first run only notes what is there.
    void baseline() {
        auto objects = store_->list_all(cfg_.bucket, cfg_.prefix);
        for (const auto& o : objects) {
            if (matches(o.key)) {
                release(o.key, o.etag, true);
            }
        }
        log::info("event source baseline", {{"function", fn_.name},
                                            {"event", ev_.name},
                                            {"existing_objects", std::to_string(objects.size())}});
    }

    void deliver(const storage::object_info& o) {
        if (!claim(o.key, o.etag)) {
            return;
        }
        object_event event;
        // S3 names the event after the request that made the object; an ETag with a part count
        // comes from a multipart upload. (A copy cannot be told from a PUT here.)
        event.event_name = o.etag.find('-') != std::string::npos
                               ? "ObjectCreated:CompleteMultipartUpload"
                               : "ObjectCreated:Put";
        if (!wanted(event.event_name)) {
            release(o.key, o.etag, true);
            return;
        }
        event.bucket = cfg_.bucket;
        event.key = o.key;
        event.size = o.size;
        event.etag = o.etag;
        event.time = o.last_modified;
        auto payload = util::dump_json(make_s3_notification(event, env_.region, ev_.name));
        std::string id;
        try {
            id = to_.enqueue(std::move(payload), fn_.name + "/" + ev_.name);
        } catch (const std::exception& e) {
            release(o.key, o.etag, false);
            ++counters_.failed;
            log::error("cannot queue object event; retried at the next scan",
                       {{"function", fn_.name}, {"key", o.key}, {"error", e.what()}});
            return;
        }
        if (id.empty()) {
            release(o.key, o.etag, false);
            return;  // stopping: not handed over, the next engine delivers it
        }
        release(o.key, o.etag, true);
        ++counters_.delivered;
        counters_.lag_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now() - o.last_modified)
                               .count();
    }

    const config::function_config& fn_;
    const config::event_source_config& ev_;
    const bucket_source_config& cfg_;
    delivery& to_;
    const source_environment& env_;
    std::optional<storage::store> store_;
    std::optional<checkpoint> checkpoint_;
    std::filesystem::path root_;
    bool local_ = false;
    bool watch_ = false;
    const bool push_;
    std::string push_url_;
    std::mutex mutex_;  // checkpoint_ and in_flight_: the listing thread and pushes share them
    std::set<std::pair<std::string, std::string>> in_flight_;  // (key, ETag) being handed over
    std::atomic<std::uint64_t> pushed_{0};
    std::atomic<std::uint64_t> push_duplicates_{0};
    int inotify_ = -1;
    int wake_ = -1;
    std::map<int, std::string> watches_;  // watch descriptor → folder relative to the bucket
    std::string last_error_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> skipped_{0};
    source_counters counters_;
    std::thread thread_;
};

}  // namespace

std::unique_ptr<source> make_bucket_source(const config::function_config& fn,
                                           const config::event_source_config& ev, delivery& to,
                                           const source_environment& env) {
    return std::make_unique<bucket_source>(fn, ev, to, env);
}

}  // namespace lambdaport::runtime::sources
