#include "pool/function_pool.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <system_error>

#include "log/log.hpp"
#include "pool/instance.hpp"
#include "util/json.hpp"

namespace lambdaport::runtime::pool {
namespace {

constexpr std::chrono::milliseconds memory_watch_interval{25};

std::vector<std::string> make_environment(const config::function_config& cfg,
                                          const pool_settings& settings) {
    std::map<std::string, std::string> env;
    for (const auto& kv : settings.inherited_environment) {
        auto eq = kv.find('=');
        if (eq != std::string::npos) {
            env[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
    }
    env.try_emplace("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.try_emplace("LANG", "en_US.UTF-8");
    auto task_root = cfg.handler.parent_path().string();
    env["AWS_LAMBDA_FUNCTION_NAME"] = cfg.name;
    env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = std::to_string(cfg.memory_mb);
    env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST";
    env["AWS_LAMBDA_INITIALIZATION_TYPE"] =
        cfg.keep_warm > 0 ? "provisioned-concurrency" : "on-demand";
    env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + cfg.name;
    env["AWS_REGION"] = settings.region;
    env["AWS_DEFAULT_REGION"] = settings.region;
    env["LAMBDA_TASK_ROOT"] = task_root;
    env["LAMBDA_RUNTIME_DIR"] = task_root;
    env["_HANDLER"] = cfg.handler_name;
    env["TZ"] = ":UTC";
    env["AWS_ENDPOINT_URL_LAMBDA"] = settings.invoke_endpoint;
    for (const auto& [k, v] : cfg.environment) {
        env[k] = v;
    }
    env.erase("AWS_LAMBDA_RUNTIME_API");  // set per instance
    std::vector<std::string> out;
    out.reserve(env.size() + 2);
    for (const auto& [k, v] : env) {
        out.push_back(k + "=" + v);
    }
    return out;
}

}  // namespace

function_pool::function_pool(net::any_io_executor executor, const config::function_config& config,
                             const pool_settings& settings)
    : executor_(std::move(executor)),
      config_(config),
      settings_(settings),
      arn_("arn:aws:lambda:" + settings.region + ":" + settings.account_id +
           ":function:" + config.name),
      environment_(make_environment(config, settings)),
      log_(config.name, settings.state_dir / "logs" / (config.name + ".log")),
      memory_watch_(executor_) {}

function_pool::~function_pool() {
    stop();
}

pool_stats function_pool::stats() const {
    pool_stats s = stats_;
    s.queued = queue_.size();
    for (const auto& i : instances_) {
        if (!i->stopping() && i->phase() != lifecycle::phase::dead) {
            ++s.instances;
            s.busy += i->phase() == lifecycle::phase::busy;
        }
    }
    return s;
}

std::size_t function_pool::live_instances() const {
    return std::count_if(instances_.begin(), instances_.end(), [](const auto& i) {
        return !i->stopping() && i->phase() != lifecycle::phase::dead;
    });
}

std::size_t function_pool::starting_instances() const {
    // An instance that has just answered asks for its next invocation within microseconds: count
    // it with the starting ones rather than pay a cold start for a sequential caller. With an idle
    // timeout of zero it will not be reused, so it does not count.
    const bool reuse = config_.idle_timeout.count() > 0;
    return std::count_if(instances_.begin(), instances_.end(), [reuse](const auto& i) {
        auto p = i->phase();
        return !i->stopping() &&
               (p == lifecycle::phase::initializing || (reuse && p == lifecycle::phase::responded));
    });
}

bool function_pool::submit(std::shared_ptr<invocation> work, bool bounded) {
    if (stopped_) {
        auto r = engine_error("ServiceException", "The engine is shutting down.");
        r.engine_stopping = true;
        work->complete(std::move(r));
        return true;
    }
    if (bounded && waiting_.empty() && live_instances() >= config_.concurrency &&
        queue_.size() >= starting_instances() + config_.queue_size) {
        ++stats_.throttles;
        return false;
    }
    ++stats_.invocations;
    queue_.push_back(std::move(work));
    dispatch();
    return true;
}

void function_pool::watch_memory() {
    // One timer per function, running only while some instance is busy: cheaper than a timer per
    // invocation, and it catches what RLIMIT_DATA does not see (or cannot, under sanitizers).
    if (watching_ || stopped_) {
        return;
    }
    watching_ = true;
    memory_watch_.expires_after(memory_watch_interval);
    memory_watch_.async_wait([this](boost::system::error_code ec) {
        watching_ = false;
        if (ec || stopped_) {
            return;
        }
        bool busy = false;
        for (auto inst : instances_) {  // a copy of the pointer: a kill must not free it here
            if (inst->phase() == lifecycle::phase::busy && !inst->check_memory()) {
                busy = true;
            }
        }
        if (busy) {
            watch_memory();
        }
    });
}

void function_pool::dispatch() {
    while (!queue_.empty() && !waiting_.empty()) {
        auto* inst = waiting_.back();
        waiting_.pop_back();
        auto work = std::move(queue_.front());
        queue_.pop_front();
        inst->deliver(std::move(work));
    }
    if (!watching_ && !instances_.empty()) {
        watch_memory();
    }
    while (queue_.size() > starting_instances() && live_instances() < config_.concurrency) {
        if (!spawn()) {
            break;
        }
    }
}

bool function_pool::spawn() {
    auto inst = std::make_shared<instance>(*this, next_number_++);
    instances_.push_back(inst);
    try {
        inst->start();
        ++stats_.cold_starts;
        return true;
    } catch (const std::exception& e) {
        log::error("cannot start instance", {{"function", config_.name}, {"error", e.what()}});
        instances_.pop_back();
        if (!queue_.empty()) {
            auto work = std::move(queue_.front());
            queue_.pop_front();
            work->complete(engine_error("Runtime.InvalidEntrypoint",
                                        "RequestId: " + work->request_id + " Error: cannot start " +
                                            config_.handler.string() + ": " + e.what()));
        }
        return false;
    }
}

void function_pool::start() {
    for (unsigned i = 0; i < config_.keep_warm; ++i) {
        spawn();
    }
}

void function_pool::stop() {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    for (auto& work : queue_) {
        auto r = engine_error("ServiceException", "The engine is shutting down.");
        r.engine_stopping = true;
        work->complete(std::move(r));
    }
    queue_.clear();
    waiting_.clear();
    memory_watch_.cancel();
    for (auto& inst : instances_) {
        inst->stop();
    }
    log_.flush();
}

void function_pool::on_waiting(instance& inst) {
    watch_memory();
    if (config_.idle_timeout.count() == 0 && inst.served() > 0) {
        // Idle timeout zero: an instance serves one invocation, then goes.
        inst.stop();
        dispatch();
        return;
    }
    if (!queue_.empty()) {
        auto work = std::move(queue_.front());
        queue_.pop_front();
        inst.deliver(std::move(work));
        return;
    }
    waiting_.push_back(&inst);
}

void function_pool::on_idle_expired(instance& inst) {
    if (live_instances() <= config_.keep_warm) {
        return;
    }
    std::erase(waiting_, &inst);
    inst.stop();
}

void function_pool::on_exit(instance& inst, bool failed_init, std::string init_error,
                            const std::string& exit) {
    std::erase(waiting_, &inst);
    if (failed_init && !queue_.empty()) {
        // A failed init answers the invocation it was started for.
        auto work = std::move(queue_.front());
        queue_.pop_front();
        if (!init_error.empty()) {
            invocation_result r;
            r.function_error = true;
            r.payload = std::move(init_error);
            const auto parsed = util::parse_json(r.payload).value_or(nullptr);
            if (parsed.is_object() && parsed.contains("errorType") &&
                parsed["errorType"].is_string()) {
                r.error_type = parsed["errorType"].get<std::string>();
            }
            work->complete(std::move(r));
        } else {
            work->complete(exit_error(work->request_id, exit));
        }
        ++stats_.errors;
    }
    std::erase_if(instances_, [&](const auto& i) { return i.get() == &inst; });
    if (stopped_) {
        return;
    }
    dispatch();
    while (!failed_init && live_instances() < config_.keep_warm) {
        if (!spawn()) {
            break;
        }
    }
}

}  // namespace lambdaport::runtime::pool
