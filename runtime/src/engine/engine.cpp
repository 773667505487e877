#include "engine/engine.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/signal_set.hpp>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <utility>

#include "async/event_queue.hpp"
#include "auth/verifier.hpp"
#include "http/server.hpp"
#include "log/log.hpp"
#include "pool/containment.hpp"
#include "pool/function_pool.hpp"
#include "pool/process.hpp"
#include "sources/sources.hpp"
#include "template/deploy.hpp"
#include "template/sam.hpp"
#include "util/json_dump.hpp"
#include "util/net.hpp"

extern char** environ;

namespace lambdaport::runtime::engine {
namespace {

// The Invoke API's connection timeouts: a keep-alive connection may sit idle this long, and a
// request, from its first byte, must be read whole within this.
constexpr std::chrono::seconds invoke_idle_timeout{60};
constexpr std::chrono::seconds invoke_request_timeout{30};

// Raises the soft limit on open descriptors to the hard one (each instance holds a few: its
// pipe, pidfd and Runtime API sockets) and returns the limit in force.
rlim_t raise_descriptor_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return 1024;
    }
    if (limit.rlim_cur < limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
            limit = raised;
        }
    }
    return limit.rlim_cur;
}

// Invoke API connections may take half the descriptors, at least 8 and at most 4096: the rest is
// for instances, log files and event sources.
std::size_t invoke_connection_limit(rlim_t descriptors) {
    return std::clamp<std::size_t>(std::size_t(std::min<rlim_t>(descriptors, 8192) / 2), 8, 4096);
}

// What a handler inherits from the engine's environment: credentials, the endpoint overrides and
// the storage setting, so the same handler reaches the same data the engine was pointed at.
bool inherited(std::string_view name) {
    static constexpr std::string_view exact[] = {"PATH",
                                                 "LANG",
                                                 "LD_LIBRARY_PATH",
                                                 "AWS_ACCESS_KEY_ID",
                                                 "AWS_SECRET_ACCESS_KEY",
                                                 "AWS_SESSION_TOKEN",
                                                 "LAMBDAPORT_STORAGE"};
    for (auto e : exact) {
        if (name == e) {
            return true;
        }
    }
    return name.starts_with("AWS_ENDPOINT_URL");
}

constexpr std::chrono::milliseconds flush_interval{50};

// Points handlers at the configured storage through the variables the SDK reads (the SDK prefers
// LAMBDAPORT_STORAGE, then AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, then Amazon S3), replacing
// what the engine's own environment said about storage. A function's `environment` still wins.
void apply_storage(const config::storage_config& storage, std::vector<std::string>& environment) {
    using kind = config::storage_config::kind;
    if (storage.type == kind::inherit) {
        log::info("storage", {{"handlers", "inherit the engine's environment"}});
        return;
    }
    std::erase_if(environment, [](const std::string& kv) {
        return kv.starts_with("LAMBDAPORT_STORAGE=") || kv.starts_with("AWS_ENDPOINT_URL_S3=");
    });
    if (storage.type == kind::file) {
        std::error_code ec;
        std::filesystem::create_directories(storage.root, ec);
        if (ec) {
            throw std::runtime_error("storage: cannot create " + storage.root.string() + ": " +
                                     ec.message());
        }
        environment.push_back("LAMBDAPORT_STORAGE=file://" + storage.root.string());
        log::info("storage", {{"type", "file"}, {"root", storage.root.string()}});
    } else if (!storage.endpoint.empty()) {
        environment.push_back("AWS_ENDPOINT_URL_S3=" + storage.endpoint);
        log::info("storage", {{"type", "s3"}, {"endpoint", storage.endpoint}});
    } else {
        // Amazon S3: an inherited generic AWS_ENDPOINT_URL would redirect the SDK elsewhere.
        std::erase_if(environment,
                      [](const std::string& kv) { return kv.starts_with("AWS_ENDPOINT_URL="); });
        log::info("storage", {{"type", "s3"}, {"endpoint", "Amazon S3"}});
    }
}

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

// `--template FILE`: the template's functions and stack on top of what the command line set
// (state folder, storage); names, ARNs and URLs follow the engine's region, account and SQS
// endpoint.
config::engine_config load_template(const std::string& file, const std::string& stack_name,
                                    std::map<std::string, std::string> overrides,
                                    config::engine_config base) {
    sam::load_options options;
    if (!stack_name.empty()) {
        options.stack_name = stack_name;
    }
    options.region = base.region;
    options.account_id = base.account_id;
    options.parameter_overrides = std::move(overrides);
    options.sqs_endpoint = environment("AWS_ENDPOINT_URL_SQS");
    if (options.sqs_endpoint.empty()) {
        options.sqs_endpoint = environment("AWS_ENDPOINT_URL");
    }
    options.has_storage = base.storage.type != config::storage_config::kind::inherit ||
                          !environment("LAMBDAPORT_STORAGE").empty() ||
                          !environment("AWS_ENDPOINT_URL_S3").empty() ||
                          !environment("AWS_ENDPOINT_URL").empty();
    options.state_dir = base.state_dir;
    auto cfg = sam::load_file(file, options);
    cfg.listen_host = base.listen_host;
    cfg.listen_port = base.listen_port;
    cfg.state_dir = base.state_dir;
    cfg.storage = base.storage;
    cfg.async_queue_limit = base.async_queue_limit;
    return cfg;
}

// Decides who may call the Invoke API and gives handlers what they need to call it too. They get
// a credential of their own, made for this run (LAMBDAPORT_ACCESS_KEY_ID and
// LAMBDAPORT_SECRET_ACCESS_KEY, which the SDK's Lambda client prefers for an endpoint override):
// the configured secret never reaches handler code, which may log or return its environment, and
// what a handler could leak stops working when the engine stops.
std::unique_ptr<auth::verifier> setup_auth(const config::auth_config& auth,
                                           const std::string& address,
                                           std::vector<std::string>& handler_environment) {
    if (!auth.verify()) {
        if (auth.disabled) {
            log::warn("invoke api open: --no-auth",
                      {{"address", address},
                       {"meaning",
                        "anyone who can reach this address can invoke every function "
                        "and read /lambdaport/status"},
                       {"ignored", auth.configured() ? auth.source : std::string("nothing")}});
        } else {
            log::info(
                "invoke api open",
                {{"address", address}, {"reason", "loopback address, no credential configured"}});
        }
        return nullptr;
    }
    const auth::credential handlers = auth::random_credential();
    std::erase_if(handler_environment, [](const std::string& kv) {
        return kv.starts_with("LAMBDAPORT_ACCESS_KEY_ID=") ||
               kv.starts_with("LAMBDAPORT_SECRET_ACCESS_KEY=");
    });
    handler_environment.push_back("LAMBDAPORT_ACCESS_KEY_ID=" + handlers.access_key_id);
    handler_environment.push_back("LAMBDAPORT_SECRET_ACCESS_KEY=" + handlers.secret_access_key);
    log::info("invoke api signed", {{"address", address},
                                    {"access_key_id", auth.access_key_id},
                                    {"from", auth.source},
                                    {"clock_skew", "5min"}});
    return std::make_unique<auth::verifier>(
        std::vector<auth::credential>{{auth.access_key_id, auth.secret_access_key}, handlers});
}

}  // namespace

struct engine::impl {
    config::engine_config config;
    net::io_context ioc{1};
    pool::pool_settings settings;
    std::unique_ptr<http::server> invoke_server;
    std::unique_ptr<auth::verifier> verifier;  // null: the Invoke API verifies nothing
    std::map<std::string, std::unique_ptr<pool::function_pool>, std::less<>> pools;
    async::event_queue events;
    net::steady_timer flush_timer;
    net::signal_set signals;
    net::signal_set children;  // SIGCHLD, when the engine reaps orphans (subreaper containment)
    sources::source_environment source_env;
    std::map<std::string, std::unique_ptr<sources::delivery>, std::less<>> deliveries;
    sources::source_set sources;  // last: its threads stop before what they use goes away

    explicit impl(config::engine_config c)
        : config(std::move(c)),
          events(ioc.get_executor(), config.state_dir, config.async_queue_limit),
          flush_timer(ioc),
          signals(ioc, SIGINT, SIGTERM),
          children(ioc) {}

    void reap_on_sigchld() {
        children.async_wait([this](boost::system::error_code ec, int) {
            if (ec) {
                return;
            }
            pool::reap_orphans();
            reap_on_sigchld();
        });
    }

    void schedule_flush() {
        flush_timer.expires_after(flush_interval);
        flush_timer.async_wait([this](boost::system::error_code ec) {
            if (ec) {
                return;
            }
            for (auto& [name, p] : pools) {
                p->log().flush();
            }
            log::flush_all();
            schedule_flush();
        });
    }
};

engine::engine(config::engine_config config) : impl_(std::make_unique<impl>(std::move(config))) {}

engine::~engine() {
    impl_.reset();  // the pools, and with them every handler process, first
    pool::teardown_containment();
}

pool::function_pool* engine::find(std::string_view name) {
    auto it = impl_->pools.find(name);
    return it == impl_->pools.end() ? nullptr : it->second.get();
}

std::optional<std::string> engine::accept_event(pool::function_pool& fn, std::string payload) {
    return impl_->events.accept(fn, std::move(payload));
}

const auth::verifier* engine::verifier() const {
    return impl_->verifier.get();
}

std::string engine::status_json() {
    nlohmann::json functions = nlohmann::json::object();
    for (const auto& [name, p] : impl_->pools) {
        auto s = p->stats();
        functions[name] = {{"instances", s.instances},    {"busy", s.busy},
                           {"queued", s.queued},          {"invocations", s.invocations},
                           {"errors", s.errors},          {"throttles", s.throttles},
                           {"cold_starts", s.cold_starts}};
    }
    nlohmann::json out{{"functions", functions},
                       {"async",
                        {{"pending", impl_->events.pending()},
                         {"limit", impl_->events.limit()},
                         {"failed", impl_->events.failed()}}},
                       {"sources", impl_->sources.status()}};
    return util::dump_json(out);
}

std::optional<std::string> engine::push_token(std::string_view function, std::string_view event) {
    auto* target = impl_->sources.push_target(function, event);
    return target ? std::optional<std::string>(target->push_token()) : std::nullopt;
}

http::response engine::push(std::string_view function, std::string_view event,
                            std::string_view body) {
    auto* target = impl_->sources.push_target(function, event);
    if (!target) {
        return invoke_api::api_error(404, "ResourceNotFoundException",
                                     "No event source takes pushes here.");
    }
    auto answer = target->receive_push(body);
    if (answer.status != 200) {
        auto res = invoke_api::api_error(answer.status, answer.error_type, answer.message);
        if (answer.status == 503) {
            res.set("Retry-After", "1");
        }
        return res;
    }
    http::response res;
    res.set("Content-Type", "application/json");
    res.body = util::dump_json(nlohmann::json{{"stored", answer.stored},
                                              {"duplicates", answer.duplicates},
                                              {"ignored", answer.ignored}});
    return res;
}

int engine::run() {
    auto& m = *impl_;
    std::signal(SIGPIPE, SIG_IGN);
    std::filesystem::create_directories(m.config.state_dir / "logs");

    http::server_options options;
    options.body_limit = invoke_api::request_limit;
    options.too_large = invoke_api::too_large;
    options.error = invoke_api::server_error;
    options.idle_timeout = invoke_idle_timeout;
    options.request_timeout = invoke_request_timeout;
    options.max_connections = invoke_connection_limit(raise_descriptor_limit());
    try {
        m.invoke_server = std::make_unique<http::server>(
            m.ioc.get_executor(), m.config.listen_host, m.config.listen_port, options,
            [this](http::request req) { return invoke_api::handle(*this, std::move(req)); });
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("cannot listen on " + m.config.listen_host + ":" +
                                 std::to_string(m.config.listen_port) + ": " + e.code().message());
    }

    m.settings.region = m.config.region;
    m.settings.account_id = m.config.account_id;
    // Handlers call back on this machine (AWS_ENDPOINT_URL_LAMBDA), also when the engine listens
    // on every interface (0.0.0.0 in a container).
    m.settings.invoke_endpoint = m.invoke_server->local_url();
    m.settings.state_dir = m.config.state_dir;
    for (char** e = environ; *e; ++e) {
        std::string_view kv = *e;
        if (inherited(kv.substr(0, kv.find('=')))) {
            m.settings.inherited_environment.emplace_back(kv);
        }
    }
    apply_storage(m.config.storage, m.settings.inherited_environment);
    m.verifier =
        setup_auth(m.config.auth, m.invoke_server->address(), m.settings.inherited_environment);
    std::map<std::string, pool::function_pool*, std::less<>> by_name;
    for (const auto& f : m.config.functions) {
        auto p = std::make_unique<pool::function_pool>(m.ioc.get_executor(), f, m.settings);
        by_name[f.name] = p.get();
        m.pools[f.name] = std::move(p);
        log::info("function", {{"name", f.name},
                               {"handler", f.handler.string()},
                               {"memory", std::to_string(f.memory_mb) + "MB"},
                               {"timeout", std::to_string(f.timeout.count()) + "ms"},
                               {"concurrency", std::to_string(f.concurrency)}});
    }
    log::info("memory limit", {{"mechanism", pool::memory_limit_mechanism()}});
    // Read once, here: `subreaper` forces the mechanism that works everywhere (tests use it).
    const std::string containment = environment("LAMBDAPORT_CONTAINMENT");
    if (!containment.empty() && containment != "auto" && containment != "subreaper") {
        throw std::runtime_error("LAMBDAPORT_CONTAINMENT: expected auto or subreaper, got '" +
                                 containment + "'");
    }
    log::info("process containment",
              {{"mechanism", pool::setup_containment(containment != "subreaper")}});
    if (pool::containment_reaps()) {
        m.children.add(SIGCHLD);
        // Asio installs its handler without SA_RESTART: a SIGCHLD landing on a source's thread
        // would interrupt its blocking calls. Stopped children are no reason to wake up either.
        struct sigaction action {};
        if (::sigaction(SIGCHLD, nullptr, &action) == 0) {
            action.sa_flags |= SA_RESTART | SA_NOCLDSTOP;
            ::sigaction(SIGCHLD, &action, nullptr);
        }
        m.reap_on_sigchld();
    }

    m.source_env.region = m.config.region;
    m.source_env.account_id = m.config.account_id;
    m.source_env.state_dir = m.config.state_dir;
    m.source_env.storage = m.config.storage;
    m.source_env.engine_url = m.invoke_server->local_url();
    m.source_env.loopback_only = config::is_loopback(m.config.listen_host);
    m.source_env.invoke_api_signed = m.verifier != nullptr;
    for (const char* var : {"AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL"}) {
        const char* value = std::getenv(var);
        if (value && *value && m.source_env.sqs_endpoint.empty()) {
            m.source_env.sqs_endpoint = value;
        }
    }
    sam::deploy(m.config.stack, m.source_env);
    for (const auto& f : m.config.functions) {
        auto d =
            std::make_unique<sources::delivery>(m.ioc.get_executor(), *m.pools[f.name], m.events);
        m.sources.add(f, *d, m.source_env);
        m.deliveries[f.name] = std::move(d);
    }

    m.invoke_server->start();
    for (auto& [name, p] : m.pools) {
        p->start();
    }
    m.events.recover(by_name);
    m.sources.start();
    m.schedule_flush();
    log::info("listening",
              {{"address", m.invoke_server->address()}, {"state", m.config.state_dir.string()}});

    int stop_signal = 0;
    m.signals.async_wait([&](boost::system::error_code ec, int sig) {
        if (ec) {
            return;
        }
        stop_signal = sig;
        log::info("stopping", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
        m.sources.request_stop();
        m.invoke_server->stop();
        for (auto& [name, p] : m.pools) {
            p->stop();
        }
        m.flush_timer.cancel();
        m.ioc.stop();
    });
    m.ioc.run();
    m.sources.request_stop();
    m.sources.join();
    for (auto& [name, p] : m.pools) {
        p->stop();
        p->log().flush();
    }
    m.pools.clear();  // reaps the handler processes
    if (pool::containment_reaps()) {
        pool::reap_orphans();
    }
    pool::teardown_containment();
    log::info("stopped");
    log::flush_all();
    return 0;
}

config::engine_config parse_serve_arguments(int argc, char** argv) {
    config::engine_config cfg;
    std::string source = "command line";
    // Each --function with the text it was given, for messages.
    std::vector<std::pair<config::function_config, std::string>> extra;
    std::string listen;
    std::string state;
    std::string storage;
    std::string config_file;
    std::string template_file;
    std::string stack_name;
    std::map<std::string, std::string> overrides;
    bool no_auth = false;
    for (int i = 0; i < argc; ++i) {
        std::string_view arg = argv[i];
        auto value = [&](std::string_view flag) -> std::string {
            if (i + 1 >= argc) {
                throw config::config_error(std::string(flag) + ": missing value");
            }
            return argv[++i];
        };
        if (arg == "--config") {
            config_file = value(arg);
        } else if (arg == "--template") {
            template_file = value(arg);
        } else if (arg == "--parameter-overrides") {
            // As `sam deploy` takes them: Key=Value words, in one argument or in several.
            sam::parse_parameter_overrides(value(arg), overrides);
            while (i + 1 < argc && !std::string_view(argv[i + 1]).starts_with("--")) {
                sam::parse_parameter_overrides(argv[++i], overrides);
            }
        } else if (arg == "--stack-name") {
            stack_name = value(arg);
            // CloudFormation's rule for stack names.
            bool ok =
                stack_name.size() <= 128 && std::isalpha(static_cast<unsigned char>(stack_name[0]));
            for (unsigned char c : stack_name) {
                ok = ok && (std::isalnum(c) || c == '-');
            }
            if (!ok) {
                throw config::config_error("--stack-name: '" + stack_name +
                                           "' is not a stack name (up to 128 letters, digits and "
                                           "'-', starting with a letter)");
            }
        } else if (arg == "--function") {
            const std::string flag = value(arg);
            auto f = config::parse_function_flag(flag);
            // A later --function replaces the config file's function of that name; a second one
            // on the command line is a mistake, not an override.
            for (const auto& [earlier, earlier_flag] : extra) {
                if (earlier.name == f.name) {
                    throw config::config_error("--function " + f.name + ": given twice (" +
                                               earlier_flag + " and " + flag + ")");
                }
            }
            extra.emplace_back(std::move(f), flag);
        } else if (arg == "--listen") {
            listen = value(arg);
        } else if (arg == "--state") {
            state = value(arg);
        } else if (arg == "--storage") {
            storage = value(arg);
        } else if (arg == "--no-auth") {
            no_auth = true;
        } else {
            throw config::config_error("serve: unknown argument '" + std::string(arg) +
                                       "' (see lambdaport --help)");
        }
    }
    if (!config_file.empty() && !template_file.empty()) {
        throw config::config_error("--template: cannot be combined with --config");
    }
    if (template_file.empty() && (!overrides.empty() || !stack_name.empty())) {
        throw config::config_error(
            std::string(overrides.empty() ? "--stack-name" : "--parameter-overrides") +
            ": applies only with --template");
    }
    if (!config_file.empty()) {
        cfg = config::load_file(config_file);
        source = config_file;
    }
    if (!state.empty()) {
        cfg.state_dir = state;
    }
    cfg.state_dir = std::filesystem::absolute(cfg.state_dir).lexically_normal();
    if (!storage.empty()) {
        cfg.storage = config::parse_storage(storage, "--storage", std::filesystem::current_path());
    }
    if (!template_file.empty()) {
        cfg = load_template(template_file, stack_name, std::move(overrides), std::move(cfg));
        source = template_file;
    }
    for (auto& given : extra) {
        auto& f = given.first;
        std::erase_if(cfg.functions, [&](const auto& g) { return g.name == f.name; });
        cfg.functions.push_back(std::move(f));
    }
    const std::string listen_source = listen.empty() ? source + ": engine.listen" : "--listen";
    if (!listen.empty()) {
        config::parse_listen(listen, "--listen", cfg);
    }
    config::validate(cfg, source);
    config::apply_auth_environment(cfg, std::getenv("LAMBDAPORT_ACCESS_KEY_ID"),
                                   std::getenv("LAMBDAPORT_SECRET_ACCESS_KEY"));
    cfg.auth.disabled = no_auth;
    config::check_exposure(cfg, listen_source);
    return cfg;
}

}  // namespace lambdaport::runtime::engine
