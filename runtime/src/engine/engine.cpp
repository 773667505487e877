#include "engine/engine.hpp"

#include <unistd.h>

#include <boost/asio/signal_set.hpp>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "async/event_queue.hpp"
#include "http/server.hpp"
#include "log/log.hpp"
#include "pool/function_pool.hpp"
#include "pool/process.hpp"
#include "sources/sources.hpp"
#include "template/deploy.hpp"
#include "template/sam.hpp"
#include "util/net.hpp"

extern char** environ;

namespace lambdaport::runtime::engine {
namespace {

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
    return cfg;
}

}  // namespace

struct engine::impl {
    config::engine_config config;
    net::io_context ioc{1};
    pool::pool_settings settings;
    std::unique_ptr<http::server> invoke_server;
    std::map<std::string, std::unique_ptr<pool::function_pool>, std::less<>> pools;
    async::event_queue events;
    net::steady_timer flush_timer;
    net::signal_set signals;
    sources::source_environment source_env;
    std::map<std::string, std::unique_ptr<sources::delivery>, std::less<>> deliveries;
    sources::source_set sources;  // last: its threads stop before what they use goes away

    explicit impl(config::engine_config c)
        : config(std::move(c)),
          events(ioc.get_executor(), config.state_dir),
          flush_timer(ioc),
          signals(ioc, SIGINT, SIGTERM) {}

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

engine::~engine() = default;

pool::function_pool* engine::find(std::string_view name) {
    auto it = impl_->pools.find(name);
    return it == impl_->pools.end() ? nullptr : it->second.get();
}

std::string engine::accept_event(pool::function_pool& fn, std::string payload) {
    return impl_->events.accept(fn, std::move(payload));
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
    nlohmann::json out{
        {"functions", functions},
        {"async", {{"pending", impl_->events.pending()}, {"failed", impl_->events.failed()}}},
        {"sources", impl_->sources.status()}};
    return out.dump();
}

int engine::run() {
    auto& m = *impl_;
    std::signal(SIGPIPE, SIG_IGN);
    std::filesystem::create_directories(m.config.state_dir / "logs");

    http::server_options options;
    options.body_limit = invoke_api::request_limit;
    options.too_large = invoke_api::too_large;
    options.idle_timeout = std::chrono::seconds{120};
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

    m.source_env.region = m.config.region;
    m.source_env.account_id = m.config.account_id;
    m.source_env.state_dir = m.config.state_dir;
    m.source_env.storage = m.config.storage;
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
    log::info("stopped");
    log::flush_all();
    return 0;
}

config::engine_config parse_serve_arguments(int argc, char** argv) {
    config::engine_config cfg;
    std::string source = "command line";
    std::vector<config::function_config> extra;
    std::string listen;
    std::string state;
    std::string storage;
    std::string config_file;
    std::string template_file;
    std::string stack_name;
    std::map<std::string, std::string> overrides;
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
            extra.push_back(config::parse_function_flag(value(arg)));
        } else if (arg == "--listen") {
            listen = value(arg);
        } else if (arg == "--state") {
            state = value(arg);
        } else if (arg == "--storage") {
            storage = value(arg);
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
    for (auto& f : extra) {
        std::erase_if(cfg.functions, [&](const auto& g) { return g.name == f.name; });
        cfg.functions.push_back(std::move(f));
    }
    if (!listen.empty()) {
        config::parse_listen(listen, "--listen", cfg);
    }
    config::validate(cfg, source);
    return cfg;
}

}  // namespace lambdaport::runtime::engine
