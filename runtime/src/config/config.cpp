#include "config/config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "sources/schedule_expression.hpp"
#include "util/json.hpp"
#include "util/json_dump.hpp"
#include "util/text.hpp"

namespace lambdaport::runtime::config {
namespace {

using json = nlohmann::json;

// Reports problems as "<source>: <key>: <reason>".
struct reader {
    const std::string& source;
    const std::filesystem::path& base_dir;

    [[noreturn]] void fail(const std::string& key, const std::string& reason) const {
        throw config_error(source + ": " + key + ": " + reason);
    }

    void only_keys(const json& object, const std::string& key,
                   std::initializer_list<std::string_view> allowed) const {
        for (const auto& [name, value] : object.items()) {
            bool known = false;
            for (auto a : allowed) {
                known = known || a == name;
            }
            if (!known) {
                fail(key.empty() ? name : key + "." + name, "unknown key");
            }
        }
    }

    const json& object(const json& value, const std::string& key) const {
        if (!value.is_object()) {
            fail(key, "must be an object");
        }
        return value;
    }

    std::string string(const json& value, const std::string& key) const {
        if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
            fail(key, "must be a non-empty string");
        }
        return value.get<std::string>();
    }

    double number(const json& value, const std::string& key, double min, double max,
                  const std::string& what) const {
        if (!value.is_number() || value.get<double>() < min || value.get<double>() > max ||
            !std::isfinite(value.get<double>())) {
            fail(key, "must be " + what);
        }
        return value.get<double>();
    }

    unsigned integer(const json& value, const std::string& key, unsigned min, unsigned max) const {
        double d =
            number(value, key, min, max,
                   "an integer between " + std::to_string(min) + " and " + std::to_string(max));
        if (d != std::floor(d)) {
            fail(key, "must be an integer between " + std::to_string(min) + " and " +
                          std::to_string(max));
        }
        return unsigned(d);
    }

    milliseconds seconds(const json& value, const std::string& key, double min, double max) const {
        std::ostringstream what;
        what << "a number of seconds between " << min << " and " << max;
        return milliseconds{std::llround(number(value, key, min, max, what.str()) * 1000)};
    }

    std::filesystem::path path(const json& value, const std::string& key) const {
        std::filesystem::path p = string(value, key);
        return p.is_absolute() ? p : (base_dir / p).lexically_normal();
    }

    async_config async(const json& value, const std::string& key) const {
        object(value, key);
        only_keys(value, key,
                  {"max_retry_attempts", "retry_delays", "max_event_age", "failure_destination"});
        async_config out;
        if (value.contains("max_retry_attempts")) {
            out.max_retry_attempts =
                integer(value["max_retry_attempts"], key + ".max_retry_attempts", 0, 2);
        }
        if (value.contains("retry_delays")) {
            const auto& delays = value["retry_delays"];
            if (!delays.is_array() || delays.empty()) {
                fail(key + ".retry_delays", "must be a non-empty array of seconds");
            }
            out.retry_delays.clear();
            for (std::size_t i = 0; i < delays.size(); ++i) {
                out.retry_delays.push_back(
                    seconds(delays[i], key + ".retry_delays[" + std::to_string(i) + "]", 0, 3600));
            }
        }
        if (value.contains("max_event_age")) {
            out.max_event_age = std::chrono::seconds{
                integer(value["max_event_age"], key + ".max_event_age", 60, 21'600)};
        }
        if (value.contains("failure_destination")) {
            out.failure_destination =
                path(value["failure_destination"], key + ".failure_destination");
        }
        return out;
    }

    // "storage": "file:///srv/data" | "data" | "s3" | "http://127.0.0.1:9000", or the same as
    // {"type": "file", "root": "data"} / {"type": "s3", "endpoint": "http://..."}.
    storage_config storage(const json& value) const {
        if (value.is_string()) {
            return parse_storage(string(value, "storage"), source + ": storage", base_dir);
        }
        object(value, "storage");
        only_keys(value, "storage", {"type", "root", "endpoint"});
        if (!value.contains("type")) {
            fail("storage.type", "missing (\"file\" or \"s3\")");
        }
        auto type = string(value["type"], "storage.type");
        storage_config out;
        if (type == "file") {
            if (!value.contains("root")) {
                fail("storage.root", "missing (the folder whose subfolders are the buckets)");
            }
            if (value.contains("endpoint")) {
                fail("storage.endpoint", "applies only to \"type\": \"s3\"");
            }
            out.type = storage_config::kind::file;
            out.root = path(value["root"], "storage.root");
        } else if (type == "s3") {
            if (value.contains("root")) {
                fail("storage.root", "applies only to \"type\": \"file\"");
            }
            out.type = storage_config::kind::s3;
            if (value.contains("endpoint")) {
                out = parse_storage(string(value["endpoint"], "storage.endpoint"),
                                    source + ": storage.endpoint", base_dir);
                if (out.type != storage_config::kind::s3 || out.endpoint.empty()) {
                    fail("storage.endpoint", "must be an http:// or https:// URL");
                }
            }
        } else {
            fail("storage.type", "must be \"file\" or \"s3\", got \"" + type + "\"");
        }
        return out;
    }

    bool boolean(const json& value, const std::string& key) const {
        if (!value.is_boolean()) {
            fail(key, "must be true or false");
        }
        return value.get<bool>();
    }

    // One entry of a function's "events": {"type": "s3" | "sqs" | "schedule", ...}, named after
    // SAM's event types and properties.
    event_source_config event_source(const std::string& name, const json& value,
                                     const std::string& key) const {
        object(value, key);
        if (!value.contains("type")) {
            fail(key + ".type", "missing (\"s3\", \"sqs\" or \"schedule\")");
        }
        auto type = string(value["type"], key + ".type");
        event_source_config out;
        out.name = name;
        if (value.contains("enabled")) {
            out.enabled = boolean(value["enabled"], key + ".enabled");
        }
        if (type == "s3") {
            only_keys(value, key,
                      {"type", "enabled", "bucket", "prefix", "suffix", "events", "mode",
                       "poll_interval", "rescan_interval", "existing", "push_endpoint",
                       "push_token", "configure_server"});
            out.type = event_source_config::kind::bucket;
            auto& b = out.bucket;
            if (!value.contains("bucket")) {
                fail(key + ".bucket", "missing (the bucket to watch)");
            }
            b.bucket = string(value["bucket"], key + ".bucket");
            if (!util::is_bucket_name(b.bucket)) {
                fail(key + ".bucket", "'" + b.bucket + "' is not a valid bucket name");
            }
            if (value.contains("prefix")) {
                b.prefix = string(value["prefix"], key + ".prefix");
            }
            if (value.contains("suffix")) {
                b.suffix = string(value["suffix"], key + ".suffix");
            }
            if (value.contains("events")) {
                const auto& names = value["events"];
                if (!names.is_array() || names.empty()) {
                    fail(key + ".events", "must be a non-empty array of event types");
                }
                b.events.clear();
                for (std::size_t i = 0; i < names.size(); ++i) {
                    auto e = string(names[i], key + ".events[" + std::to_string(i) + "]");
                    if (e != "s3:ObjectCreated:*" && e != "s3:ObjectCreated:Put" &&
                        e != "s3:ObjectCreated:CompleteMultipartUpload") {
                        fail(key + ".events[" + std::to_string(i) + "]",
                             "'" + e +
                                 "' is not supported (s3:ObjectCreated:*, s3:ObjectCreated:Put or "
                                 "s3:ObjectCreated:CompleteMultipartUpload)");
                    }
                    b.events.push_back(e.substr(3));
                }
            }
            if (value.contains("mode")) {
                auto mode = string(value["mode"], key + ".mode");
                if (mode == "auto") {
                    b.how = bucket_source_config::mode::automatic;
                } else if (mode == "watch") {
                    b.how = bucket_source_config::mode::watch;
                } else if (mode == "poll") {
                    b.how = bucket_source_config::mode::poll;
                } else if (mode == "push") {
                    b.how = bucket_source_config::mode::push;
                } else {
                    fail(key + ".mode",
                         "must be \"auto\", \"watch\", \"poll\" or \"push\", got \"" + mode + "\"");
                }
            }
            for (const char* field : {"push_endpoint", "push_token", "configure_server"}) {
                if (value.contains(field) && b.how != bucket_source_config::mode::push) {
                    fail(key + "." + field, "only applies to \"mode\": \"push\"");
                }
            }
            if (value.contains("push_endpoint")) {
                b.push_endpoint = string(value["push_endpoint"], key + ".push_endpoint");
                if (!b.push_endpoint.starts_with("http://") &&
                    !b.push_endpoint.starts_with("https://")) {
                    fail(key + ".push_endpoint",
                         "must be an http:// or https:// URL, got \"" + b.push_endpoint + "\"");
                }
            }
            if (value.contains("push_token")) {
                b.push_token = string(value["push_token"], key + ".push_token");
                // "env:NAME": the token is the variable's value (kept out of the file).
                if (b.push_token.starts_with("env:")) {
                    std::string name = b.push_token.substr(4);
                    const char* v = std::getenv(name.c_str());
                    if (name.empty() || !v || !*v) {
                        fail(key + ".push_token",
                             "names the environment variable '" + name + "', which is not set");
                    }
                    b.push_token = v;
                }
                if (b.push_token.size() < 16 ||
                    b.push_token.find_first_not_of(
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789-_.~") != std::string::npos) {
                    fail(key + ".push_token",
                         "must be 16 or more of A-Z a-z 0-9 - _ . ~ (it goes into a URL)");
                }
            }
            if (value.contains("configure_server")) {
                b.configure_server = boolean(value["configure_server"], key + ".configure_server");
            }
            if (value.contains("poll_interval")) {
                b.poll_interval =
                    seconds(value["poll_interval"], key + ".poll_interval", 0.01, 3600);
            }
            if (value.contains("rescan_interval")) {
                b.rescan_interval =
                    seconds(value["rescan_interval"], key + ".rescan_interval", 0.1, 86'400);
            }
            if (value.contains("existing")) {
                b.existing = boolean(value["existing"], key + ".existing");
            }
        } else if (type == "sqs") {
            only_keys(value, key,
                      {"type", "enabled", "queue", "batch_size", "maximum_batching_window",
                       "function_response_types", "maximum_concurrency"});
            out.type = event_source_config::kind::sqs;
            auto& q = out.sqs;
            if (!value.contains("queue")) {
                fail(key + ".queue", "missing (the queue's name, URL or ARN)");
            }
            q.queue = string(value["queue"], key + ".queue");
            if (value.contains("batch_size")) {
                q.batch_size = integer(value["batch_size"], key + ".batch_size", 1, 10'000);
            }
            if (value.contains("maximum_batching_window")) {
                q.maximum_batching_window = seconds(value["maximum_batching_window"],
                                                    key + ".maximum_batching_window", 0, 300);
            }
            if (q.batch_size > 10 && q.maximum_batching_window.count() == 0) {
                // Lambda's rule: a batch above 10 needs a batching window of at least 1 s.
                fail(key + ".maximum_batching_window",
                     "must be at least 1 second when batch_size is more than 10");
            }
            if (value.contains("function_response_types")) {
                const auto& types = value["function_response_types"];
                if (!types.is_array()) {
                    fail(key + ".function_response_types",
                         "must be an array ([\"ReportBatchItemFailures\"] or [])");
                }
                for (std::size_t i = 0; i < types.size(); ++i) {
                    auto t = string(types[i],
                                    key + ".function_response_types[" + std::to_string(i) + "]");
                    if (t != "ReportBatchItemFailures") {
                        fail(key + ".function_response_types[" + std::to_string(i) + "]",
                             "'" + t + "' is not a response type (only ReportBatchItemFailures)");
                    }
                    q.report_batch_item_failures = true;
                }
            }
            if (value.contains("maximum_concurrency")) {
                q.maximum_concurrency =
                    integer(value["maximum_concurrency"], key + ".maximum_concurrency", 2, 1000);
            }
        } else if (type == "schedule") {
            only_keys(value, key, {"type", "enabled", "schedule", "input"});
            out.type = event_source_config::kind::schedule;
            if (!value.contains("schedule")) {
                fail(key + ".schedule", "missing (a rate(...) or cron(...) expression)");
            }
            out.schedule.expression = string(value["schedule"], key + ".schedule");
            // EventBridge refuses a bad expression when the rule is created; so does start-up.
            try {
                sources::schedule_expression check(out.schedule.expression);
            } catch (const sources::schedule_expression_error& e) {
                fail(key + ".schedule", e.what());
            }
            if (value.contains("input")) {
                // EventBridge's Input is a JSON text; accept it as text or as JSON.
                const auto& input = value["input"];
                if (input.is_string()) {
                    util::json_problem problem;
                    auto parsed = util::parse_json(input.get<std::string>(), {}, &problem);
                    if (!parsed) {
                        fail(key + ".input", "is not valid JSON text: " + problem.message());
                    }
                    out.schedule.input = util::dump_json(*parsed);
                } else {
                    out.schedule.input = util::dump_json(input);
                }
            }
        } else {
            fail(key + ".type", "must be \"s3\", \"sqs\" or \"schedule\", got \"" + type + "\"");
        }
        return out;
    }

    function_config function(const std::string& name, const json& value) const {
        const std::string key = "functions." + name;
        object(value, key);
        only_keys(value, key,
                  {"handler", "handler_name", "timeout", "memory", "concurrency", "keep_warm",
                   "idle_timeout", "queue_size", "environment", "async", "events"});
        function_config f;
        f.name = name;
        if (!value.contains("handler")) {
            fail(key + ".handler", "missing (the path of the handler executable)");
        }
        f.handler = path(value["handler"], key + ".handler");
        f.handler_name = f.handler.filename().string();
        if (value.contains("handler_name")) {
            f.handler_name = string(value["handler_name"], key + ".handler_name");
        }
        if (value.contains("timeout")) {
            f.timeout = seconds(value["timeout"], key + ".timeout", 1, 900);
        }
        if (value.contains("memory")) {
            f.memory_mb = integer(value["memory"], key + ".memory", 128, 10'240);
        }
        if (value.contains("concurrency")) {
            f.concurrency = integer(value["concurrency"], key + ".concurrency", 1, 1000);
        }
        if (value.contains("keep_warm")) {
            f.keep_warm = integer(value["keep_warm"], key + ".keep_warm", 0, 1000);
        }
        if (value.contains("idle_timeout")) {
            f.idle_timeout = seconds(value["idle_timeout"], key + ".idle_timeout", 0, 86'400);
        }
        if (value.contains("queue_size")) {
            f.queue_size = integer(value["queue_size"], key + ".queue_size", 0, 1'000'000);
        }
        if (value.contains("environment")) {
            const auto& env = object(value["environment"], key + ".environment");
            std::size_t total = 0;
            for (const auto& [k, v] : env.items()) {
                if (k.empty() || k.find('=') != std::string::npos) {
                    fail(key + ".environment." + k, "is not a valid variable name");
                }
                if (!v.is_string()) {
                    fail(key + ".environment." + k, "must be a string");
                }
                total += k.size() + v.get_ref<const std::string&>().size();
                f.environment[k] = v.get<std::string>();
            }
            if (total > 4096) {
                fail(key + ".environment", "exceeds Lambda's 4 KB limit for environment variables");
            }
        }
        if (value.contains("async")) {
            f.async = async(value["async"], key + ".async");
        }
        if (value.contains("events")) {
            const auto& events = object(value["events"], key + ".events");
            for (const auto& [ev_name, ev] : events.items()) {
                if (!util::is_name(ev_name)) {
                    fail(key + ".events." + ev_name,
                         "an event name is 1-64 letters, digits, '-' or '_'");
                }
                f.events.push_back(event_source(ev_name, ev, key + ".events." + ev_name));
            }
        }
        if (f.keep_warm > f.concurrency) {
            fail(key + ".keep_warm", "must not exceed concurrency");
        }
        return f;
    }
};

}  // namespace

const function_config* engine_config::find(std::string_view name) const {
    for (const auto& f : functions) {
        if (f.name == name) {
            return &f;
        }
    }
    return nullptr;
}

void parse_listen(std::string_view text, const std::string& where, engine_config& out) {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        throw config_error(where + ": must be HOST:PORT, got '" + std::string(text) + "'");
    }
    auto port_text = text.substr(colon + 1);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
        throw config_error(where + ": port must be a number from 0 to 65535, got '" +
                           std::string(port_text) + "'");
    }
    out.listen_host = std::string(text.substr(0, colon));
    out.listen_port = std::uint16_t(port);
}

engine_config parse_json(std::string_view text, const std::string& source,
                         const std::filesystem::path& base_dir) {
    // nlohmann keeps the last of two equal keys: a setting written twice would silently lose one.
    util::json_problem problem;
    auto parsed = util::parse_json(text, {.unique_keys = true}, &problem);
    if (!parsed) {
        throw config_error(source + ": " + problem.message());
    }
    const json& doc = *parsed;
    reader r{source, base_dir};
    if (!doc.is_object()) {
        throw config_error(source + ": the document must be a JSON object");
    }
    r.only_keys(doc, "", {"engine", "storage", "functions"});
    engine_config out;
    if (doc.contains("engine")) {
        const auto& engine = r.object(doc["engine"], "engine");
        r.only_keys(engine, "engine",
                    {"listen", "state_dir", "region", "account_id", "auth", "async_queue_limit"});
        if (engine.contains("listen")) {
            parse_listen(r.string(engine["listen"], "engine.listen"), source + ": engine.listen",
                         out);
        }
        if (engine.contains("state_dir")) {
            out.state_dir = r.path(engine["state_dir"], "engine.state_dir");
        }
        if (engine.contains("region")) {
            out.region = r.string(engine["region"], "engine.region");
        }
        if (engine.contains("account_id")) {
            out.account_id = r.string(engine["account_id"], "engine.account_id");
            if (out.account_id.size() != 12 ||
                out.account_id.find_first_not_of("0123456789") != std::string::npos) {
                r.fail("engine.account_id", "must be 12 digits");
            }
        }
        if (engine.contains("auth")) {
            const auto& auth = r.object(engine["auth"], "engine.auth");
            r.only_keys(auth, "engine.auth", {"access_key_id", "secret_access_key"});
            for (const char* key : {"access_key_id", "secret_access_key"}) {
                if (!auth.contains(key)) {
                    r.fail(std::string("engine.auth.") + key, "missing");
                }
            }
            out.auth.access_key_id = r.string(auth["access_key_id"], "engine.auth.access_key_id");
            out.auth.secret_access_key =
                r.string(auth["secret_access_key"], "engine.auth.secret_access_key");
            out.auth.source = source + ": engine.auth";
            check_credential(out.auth, source + ": engine.auth.access_key_id",
                             source + ": engine.auth.secret_access_key");
        }
        if (engine.contains("async_queue_limit")) {
            out.async_queue_limit =
                r.integer(engine["async_queue_limit"], "engine.async_queue_limit", 1, 1'000'000);
        }
    }
    if (doc.contains("storage")) {
        out.storage = r.storage(doc["storage"]);
    }
    if (doc.contains("functions")) {
        const auto& functions = r.object(doc["functions"], "functions");
        for (const auto& [name, value] : functions.items()) {
            if (!util::is_name(name)) {
                r.fail("functions." + name, "a function name is 1-64 letters, digits, '-' or '_'");
            }
            out.functions.push_back(r.function(name, value));
        }
    }
    return out;
}

engine_config load_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw config_error(file.string() + ": cannot be read: " + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto base = std::filesystem::absolute(file).parent_path();
    return parse_json(text.str(), file.string(), base);
}

function_config parse_function_flag(std::string_view flag) {
    auto eq = flag.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == flag.size()) {
        throw config_error("--function: must be NAME=PATH, got '" + std::string(flag) + "'");
    }
    std::string name(flag.substr(0, eq));
    if (!util::is_name(name)) {
        throw config_error("--function " + name +
                           ": a function name is 1-64 letters, digits, '-' or '_'");
    }
    function_config f;
    f.name = name;
    f.handler = std::filesystem::absolute(std::string(flag.substr(eq + 1))).lexically_normal();
    f.handler_name = f.handler.filename().string();
    return f;
}

storage_config parse_storage(std::string_view text, const std::string& where,
                             const std::filesystem::path& base_dir) {
    storage_config out;
    auto starts = [&](std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; };
    if (text.empty()) {
        throw config_error(where + ": must not be empty");
    }
    if (text == "s3") {
        out.type = storage_config::kind::s3;
    } else if (starts("http://") || starts("https://")) {
        auto rest = text.substr(text.find("//") + 2);
        auto host = rest.substr(0, rest.find('/'));
        if (host.empty() || (rest.size() > host.size() && rest.substr(host.size()) != "/")) {
            throw config_error(where +
                               ": an S3 endpoint is scheme://host[:port] with no path, got '" +
                               std::string(text) + "'");
        }
        out.type = storage_config::kind::s3;
        out.endpoint = std::string(text.substr(0, text.size() - (rest.size() - host.size())));
    } else if (starts("file://")) {
        auto p = text.substr(7);
        if (p.empty() || p.front() != '/') {
            throw config_error(where +
                               ": a file URL names an absolute path (file:///srv/data), got '" +
                               std::string(text) + "'");
        }
        out.type = storage_config::kind::file;
        out.root = std::filesystem::path(p).lexically_normal();
    } else if (text.find("://") != std::string_view::npos) {
        throw config_error(where +
                           ": must be file:///PATH, a folder, s3 or http(s)://HOST:PORT, got '" +
                           std::string(text) + "'");
    } else {
        std::filesystem::path p{std::string(text)};
        out.type = storage_config::kind::file;
        out.root = (p.is_absolute() ? p : base_dir / p).lexically_normal();
    }
    return out;
}

void check_credential(const auth_config& auth, const std::string& where_key,
                      const std::string& where_secret) {
    const auto& id = auth.access_key_id;
    bool id_ok = !id.empty() && id.size() <= 128;
    for (unsigned char c : id) {
        id_ok = id_ok && (std::isalnum(c) || c == '-' || c == '_');
    }
    if (!id_ok) {
        // '/', ',' and blanks would break the Authorization header clients put it in.
        throw config_error(where_key + ": must be 1 to 128 letters, digits, '-' or '_'");
    }
    const auto& secret = auth.secret_access_key;
    bool secret_ok = secret.size() >= 16 && secret.size() <= 128;
    for (unsigned char c : secret) {
        secret_ok = secret_ok && c > 0x20 && c < 0x7f;
    }
    if (!secret_ok) {
        // A short secret can be found offline from a single signed request someone overheard.
        throw config_error(where_secret +
                           ": must be 16 to 128 printable ASCII characters without blanks");
    }
}

void apply_auth_environment(engine_config& config, const char* access_key_id,
                            const char* secret_access_key) {
    const bool has_id = access_key_id && *access_key_id;
    const bool has_secret = secret_access_key && *secret_access_key;
    if (!has_id && !has_secret) {
        return;
    }
    if (has_id != has_secret) {
        throw config_error(
            std::string(has_id ? "LAMBDAPORT_ACCESS_KEY_ID" : "LAMBDAPORT_SECRET_ACCESS_KEY") +
            " is set but " +
            (has_id ? "LAMBDAPORT_SECRET_ACCESS_KEY" : "LAMBDAPORT_ACCESS_KEY_ID") +
            " is not: set both, or neither");
    }
    config.auth.access_key_id = access_key_id;
    config.auth.secret_access_key = secret_access_key;
    config.auth.source = "LAMBDAPORT_ACCESS_KEY_ID";
    check_credential(config.auth, "LAMBDAPORT_ACCESS_KEY_ID", "LAMBDAPORT_SECRET_ACCESS_KEY");
}

bool is_loopback(std::string_view host) {
    const std::string text(host);
    unsigned char v4[4];
    if (inet_pton(AF_INET, text.c_str(), v4) == 1) {
        return v4[0] == 127;
    }
    unsigned char v6[16];
    if (inet_pton(AF_INET6, text.c_str(), v6) != 1) {
        return false;
    }
    static constexpr unsigned char loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static constexpr unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::equal(v6, v6 + 16, loopback) || (std::equal(v6, v6 + 12, mapped) && v6[12] == 127);
}

void check_exposure(const engine_config& config, const std::string& where) {
    if (config.auth.configured() || config.auth.disabled || is_loopback(config.listen_host)) {
        return;
    }
    unsigned char any[16];
    if (inet_pton(AF_INET, config.listen_host.c_str(), any) != 1 &&
        inet_pton(AF_INET6, config.listen_host.c_str(), any) != 1) {
        return;  // not an address at all: binding it fails with its own message
    }
    throw config_error(where + ": " + config.listen_host + ":" +
                       std::to_string(config.listen_port) +
                       " is not a loopback address and no credential is configured: set "
                       "engine.auth (or LAMBDAPORT_ACCESS_KEY_ID and LAMBDAPORT_SECRET_ACCESS_KEY) "
                       "so that callers must sign, or pass --no-auth to leave the Invoke API open "
                       "to everyone who can reach it");
}

void validate(const engine_config& config, const std::string& source) {
    if (config.functions.empty()) {
        throw config_error(source +
                           ": functions: no function configured (use --function NAME=PATH "
                           "or a \"functions\" object)");
    }
    std::set<std::string> names;
    for (const auto& f : config.functions) {
        if (!names.insert(f.name).second) {
            throw config_error(source + ": functions." + f.name + ": defined twice");
        }
        std::error_code ec;
        auto status = std::filesystem::status(f.handler, ec);
        if (ec || !std::filesystem::is_regular_file(status)) {
            throw config_error(source + ": functions." + f.name +
                               ".handler: " + f.handler.string() + " is not a file");
        }
        if ((status.permissions() & std::filesystem::perms::owner_exec) ==
            std::filesystem::perms::none) {
            throw config_error(source + ": functions." + f.name +
                               ".handler: " + f.handler.string() + " is not executable");
        }
    }
}

}  // namespace lambdaport::runtime::config
