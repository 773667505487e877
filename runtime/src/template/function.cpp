#include "template/function.hpp"

#include <algorithm>
#include <cctype>

namespace lambdaport::runtime::sam::detail {
namespace {

using std::chrono::milliseconds;

constexpr const char* unsupported =
    "is not supported by lambdaport (README: \"One template for local and AWS\" lists what is)";

// Variables Lambda sets itself and refuses in a function's configuration.
constexpr std::string_view reserved_variables[] = {
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
};

// Lambda's rule for variable names: a letter, then letters, digits and '_'.
bool is_variable_name(std::string_view name) {
    return name.size() >= 2 && std::isalpha(static_cast<unsigned char>(name[0])) &&
           std::all_of(name.begin(), name.end(),
                       [](unsigned char c) { return std::isalnum(c) != 0 || c == '_'; });
}

void read_environment(stack& s, const node& raw, const std::string& path, function_settings& out) {
    const auto& env = s.mapping(raw, path);
    s.only_keys(env, path, {"Variables"}, unsupported);
    const node* variables = env.find("Variables");
    if (!variables || variables->is_null()) {
        return;
    }
    const auto& vars = s.mapping(*variables, path + ".Variables");
    for (const auto& [name, value] : vars.entries) {
        const auto where = path + ".Variables." + name;
        if (!is_variable_name(name)) {
            s.fail(where, "a variable's name is a letter, then letters, digits and '_'");
        }
        if (std::find(std::begin(reserved_variables), std::end(reserved_variables), name) !=
            std::end(reserved_variables)) {
            s.fail(where, "is reserved: Lambda sets it");
        }
        out.environment[name] = s.string(value, where);
    }
}

void read_event_invoke_config(stack& s, const node& raw, const std::string& path,
                              function_settings& out) {
    const auto& c = s.mapping(raw, path);
    s.only_keys(c, path, {"MaximumRetryAttempts", "MaximumEventAgeInSeconds"}, unsupported);
    if (const node* n = c.find("MaximumRetryAttempts")) {
        out.max_retry_attempts = s.integer(*n, path + ".MaximumRetryAttempts", 0, 2);
    }
    if (const node* n = c.find("MaximumEventAgeInSeconds")) {
        out.max_event_age_s = s.integer(*n, path + ".MaximumEventAgeInSeconds", 60, 21'600);
    }
}

// One property shared by Globals.Function and a function's Properties. Returns false when `key`
// is not one of them.
bool read_common(stack& s, const std::string& key, const node& raw, const std::string& path,
                 function_settings& out) {
    if (key == "Runtime") {
        auto runtime = s.string(raw, path);
        if (runtime != "provided.al2023" && runtime != "provided.al2") {
            s.fail(path, runtime +
                             " is not supported (lambdaport runs custom runtimes: provided.al2023 "
                             "or provided.al2)");
        }
        out.runtime = runtime;
    } else if (key == "Handler") {
        out.handler = s.string(raw, path);
        if (out.handler->empty()) {
            s.fail(path, "must not be empty");
        }
    } else if (key == "CodeUri") {
        auto v = s.value(raw, path);
        if (v.is_mapping()) {
            s.fail(path,
                   "an S3 location is not supported: give a folder holding bootstrap, a "
                   ".zip or an executable");
        }
        if (!v.is_scalar() || v.text.empty()) {
            s.fail(path, "must be a path");
        }
        try {
            out.code = locate_code(v.text, s.base_dir());
        } catch (const reason_error& e) {
            s.fail(path, e.what());
        }
        out.code_path = path;
    } else if (key == "MemorySize") {
        out.memory_mb = s.integer(raw, path, 128, 10'240);
    } else if (key == "Timeout") {
        out.timeout_s = s.integer(raw, path, 1, 900);
    } else if (key == "ReservedConcurrentExecutions") {
        out.concurrency = s.integer(raw, path, 1, 1000);
    } else if (key == "Environment") {
        read_environment(s, raw, path, out);
    } else if (key == "EventInvokeConfig") {
        read_event_invoke_config(s, raw, path, out);
    } else if (key == "PackageType") {
        if (s.string(raw, path) != "Zip") {
            s.fail(path, "only Zip is supported");
        }
    } else if (key == "Description" || key == "Tags" || key == "Tracing" ||
               key == "Architectures") {
        s.value(raw, path);  // no meaning locally; its intrinsics must still be right
    } else {
        return false;
    }
    return true;
}

}  // namespace

function_settings read_globals(stack& s, const node* globals) {
    function_settings out;
    if (!globals || globals->is_null()) {
        return out;
    }
    const auto& g = s.mapping(*globals, "Globals");
    s.only_keys(g, "Globals", {"Function"}, "not supported (lambdaport reads Globals.Function)");
    const node* function = g.find("Function");
    if (!function || function->is_null()) {
        return out;
    }
    for (const auto& [key, raw] : s.mapping(*function, "Globals.Function").entries) {
        if (!read_common(s, key, raw, "Globals.Function." + key, out)) {
            s.fail("Globals.Function." + key, unsupported);
        }
    }
    return out;
}

config::function_config map_function(stack& s, const resource& r, const function_settings& globals,
                                     std::vector<code_package>& packages) {
    function_settings f = globals;
    function_settings own;
    if (r.properties) {
        for (const auto& [key, raw] : r.properties->entries) {
            const auto path = r.property_path(key);
            if (key == "FunctionName" || key == "Events") {
                continue;  // read by name_of and map_events
            }
            if (key == "Policies" || key == "Role") {
                s.value(raw, path);  // IAM is AWS's business; the references must still be right
                continue;
            }
            if (!read_common(s, key, raw, path, own)) {
                s.fail(path, unsupported);
            }
        }
    }
    auto take = [](auto& into, const auto& from) {
        if (from) {
            into = from;
        }
    };
    take(f.runtime, own.runtime);
    take(f.handler, own.handler);
    if (own.code) {
        f.code = own.code;
        f.code_path = own.code_path;
    }
    take(f.memory_mb, own.memory_mb);
    take(f.timeout_s, own.timeout_s);
    take(f.concurrency, own.concurrency);
    take(f.max_retry_attempts, own.max_retry_attempts);
    take(f.max_event_age_s, own.max_event_age_s);
    for (const auto& [k, v] : own.environment) {  // over the globals' variables, as SAM merges
        f.environment[k] = v;
    }

    if (!f.runtime) {
        s.fail(r.property_path("Runtime"), "missing (provided.al2023)");
    }
    if (!f.handler) {
        s.fail(r.property_path("Handler"),
               "missing (any name for a custom runtime, e.g. bootstrap; the function sees it as "
               "_HANDLER)");
    }
    if (!f.code) {
        s.fail(r.property_path("CodeUri"),
               "missing (a folder holding bootstrap, a .zip with bootstrap at its root, or an "
               "executable)");
    }
    config::function_config out;
    out.name = s.name_of(r);
    out.handler_name = *f.handler;
    if (f.code->type == code_location::kind::zip) {
        auto folder = s.options().state_dir / "code" / out.name;
        packages.push_back({f.code->path, folder, f.code_path});
        out.handler = folder / "bootstrap";
    } else {
        out.handler = f.code->path;
    }
    out.timeout = milliseconds{std::int64_t(f.timeout_s.value_or(3)) * 1000};
    out.memory_mb = f.memory_mb.value_or(128);
    if (f.concurrency) {
        out.concurrency = *f.concurrency;
    }
    if (f.max_retry_attempts) {
        out.async.max_retry_attempts = *f.max_retry_attempts;
    }
    if (f.max_event_age_s) {
        out.async.max_event_age = std::chrono::seconds{*f.max_event_age_s};
    }
    std::size_t total = 0;
    for (const auto& [k, v] : f.environment) {
        total += k.size() + v.size();
    }
    if (total > 4096) {
        s.fail(r.property_path("Environment"),
               "exceeds Lambda's 4 KB limit for environment variables (with Globals.Function's)");
    }
    out.environment = std::move(f.environment);
    map_events(s, r, out);
    return out;
}

}  // namespace lambdaport::runtime::sam::detail
