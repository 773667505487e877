// Echoes the event, the context and a little of the environment: what a handler sees.
//
// Event options, for tests: "log_lines": N prints N more lines ("line 0" .. "line N-1");
// "response_bytes": N returns a JSON string of N 'x' characters instead (N + 2 bytes of body).

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <lambdaport/runtime.hpp>
#include <string>

namespace {

nlohmann::json environment_or_null(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr ? nlohmann::json(value) : nlohmann::json(nullptr);
}

// The count given as event[key], or -1.
long long count_option(const nlohmann::json& event, const char* key) {
    if (!event.is_object()) {
        return -1;
    }
    const auto it = event.find(key);
    return it != event.end() && it->is_number_integer() ? it->get<long long>() : -1;
}

}  // namespace

int main() {
    return lambdaport::run([](const nlohmann::json& event, const lambdaport::context& ctx) {
        std::cout << "hello: handling " << ctx.request_id() << '\n';
        for (long long i = 0; i < count_option(event, "log_lines"); ++i) {
            std::cout << "line " << i << '\n';
        }
        if (const long long bytes = count_option(event, "response_bytes"); bytes >= 0) {
            return nlohmann::json(std::string(static_cast<std::size_t>(bytes), 'x'));
        }

        nlohmann::json client_context = nullptr;
        if (!ctx.client_context().empty()) {
            client_context = nlohmann::json::parse(ctx.client_context(), nullptr, false);
            if (client_context.is_discarded()) {
                client_context = nullptr;
            }
        }
        const auto deadline_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(ctx.deadline().time_since_epoch())
                .count();
        return nlohmann::json{
            {"event", event},
            {"context",
             {
                 {"request_id", ctx.request_id()},
                 {"invoked_function_arn", ctx.invoked_function_arn()},
                 {"deadline_ms", deadline_ms},
                 {"remaining_ms", ctx.remaining_time().count()},
                 {"trace_id", ctx.trace_id()},
                 {"client_context", client_context},
                 {"function_name", ctx.function_name()},
                 {"function_version", ctx.function_version()},
                 {"memory_limit_mb", ctx.memory_limit_mb()},
                 {"log_group_name", ctx.log_group_name()},
                 {"log_stream_name", ctx.log_stream_name()},
             }},
            {"env",
             {
                 {"GREETING", environment_or_null("GREETING")},
                 {"_X_AMZN_TRACE_ID", environment_or_null("_X_AMZN_TRACE_ID")},
             }},
        };
    });
}
