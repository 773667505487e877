#include "lambdaport/runtime.hpp"

#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <iostream>
#include <new>
#include <optional>
#include <string>

#include "context_access.hpp"
#include "error.hpp"
#include "error_report.hpp"
#include "http_client.hpp"
#include "runtime_api_client.hpp"

namespace lambdaport::detail {
namespace {

// The SDK's own messages go to stderr, which the engine captures into the function's log. One
// write per line, so that lines from other threads do not cut into it, and no allocation, so that
// it works when memory has run out. Long lines are cut.
void log_line(std::initializer_list<std::string_view> parts) noexcept {
    constexpr std::string_view prefix = "lambdaport: ";
    char line[2048];
    std::size_t size = prefix.copy(line, prefix.size());
    for (const std::string_view part : parts) {
        size += part.copy(line + size, sizeof line - 1 - size);
    }
    line[size++] = '\n';
    std::fwrite(line, 1, size, stderr);
}

// The engine reads stdout and stderr through one pipe and the completion through the socket:
// flush first, so that the handler's lines land in this invocation's log, before its END line.
void flush_logs() {
    std::cout.flush();
    std::cerr.flush();
    std::clog.flush();
    std::fflush(stdout);
    std::fflush(stderr);
}

void export_trace_id(const std::string& trace_id) {
    // setenv copies every new value and glibc never frees the old ones: a leak per invocation.
    // putenv of one buffer we own, rewritten in place, costs nothing.
    static std::string entry = [] {
        std::string s;
        s.reserve(512);
        return s;
    }();
    if (trace_id.empty()) {
        ::unsetenv("_X_AMZN_TRACE_ID");
        return;
    }
    entry.assign("_X_AMZN_TRACE_ID=").append(trace_id);
    ::putenv(entry.data());
}

// What the handler produced. Out of memory is a flag, not a response: building one could fail.
struct outcome {
    std::optional<invocation_response> response;
    bool out_of_memory = false;
};

void call_handler(handler_fn handler, std::string_view payload, const context& ctx, outcome& out) {
    out.response.reset();
    out.out_of_memory = false;
    try {
        out.response.emplace(handler(payload, ctx));
        return;
    } catch (const std::bad_alloc&) {
        out.out_of_memory = true;
        return;
    } catch (...) {
        try {
            error_report report = describe_current_exception();
            log_line({"invocation ", ctx.request_id(), " failed with ", report.type, ": ",
                      report.message});
            out.response.emplace(
                invocation_response::failure(std::move(report.message), std::move(report.type)));
        } catch (const std::bad_alloc&) {
            out.out_of_memory = true;
        }
    }
}

// Returns false when the engine asks the runtime to exit.
bool post_outcome(runtime_api_client& client, const std::string& request_id,
                  const invocation_response& response) {
    const auto result = client.post(request_id, response);
    if (result.error) {
        // The next /next reconnects or finds the engine gone.
        log_line(
            {"posting the result of invocation ", request_id, " failed: ", result.error.message()});
        return true;
    }
    if (result.status >= 200 && result.status < 300) {
        return true;
    }
    const std::string status = std::to_string(result.status);
    const std::string_view body = result.body.substr(0, 300);
    if (result.status == 413) {
        log_line({"the result of invocation ", request_id,
                  " is too large for the Runtime API: HTTP ", status, " ", body});
        return true;
    }
    if (result.status >= 500) {
        log_line({"posting the result of invocation ", request_id, " got HTTP ", status, " ", body,
                  "; exiting"});
        return false;
    }
    log_line({"posting the result of invocation ", request_id, " was refused: HTTP ", status, " ",
              body});
    return true;
}

bool initialise(runtime_api_client& client, init_fn init,
                const invocation_response& out_of_memory) {
    std::optional<invocation_response> failure;
    try {
        init();
        return true;
    } catch (...) {
        try {
            error_report report = describe_current_exception();
            log_line({"initialisation failed with ", report.type, ": ", report.message});
            failure.emplace(
                invocation_response::failure(std::move(report.message), std::move(report.type)));
        } catch (const std::bad_alloc&) {
        }
    }
    flush_logs();
    const auto result = client.post_init_error(failure ? *failure : out_of_memory);
    if (result.error) {
        log_line({"reporting the initialisation error failed: ", result.error.message()});
    } else if (result.status < 200 || result.status >= 300) {
        log_line({"reporting the initialisation error got HTTP ", std::to_string(result.status)});
    }
    return false;
}

std::optional<http_endpoint> endpoint_from_environment() {
    const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
    if (api == nullptr || *api == '\0') {
        log_line(
            {"AWS_LAMBDA_RUNTIME_API is not set: this program is a Lambda handler, run it "
             "under `lambdaport serve` or AWS Lambda"});
        return std::nullopt;
    }
    auto endpoint = parse_endpoint(api);
    if (!endpoint) {
        log_line({"AWS_LAMBDA_RUNTIME_API=", api, " is not host:port"});
    }
    return endpoint;
}

// Serves invocations until the engine goes away or asks the runtime to exit.
int serve(runtime_api_client& client, const std::string& address, handler_fn handler, context& ctx,
          const invocation_response& out_of_memory) {
    outcome out;
    for (;;) {
        invocation_info& info = context_access::invocation(ctx);
        std::string_view payload;
        if (const auto ec = client.next(info, payload)) {
            if (ec == error::container_error || ec == error::unexpected_status) {
                log_line({"the Runtime API at ", address, " answered HTTP ",
                          std::to_string(client.last_status()), " to /next; exiting"});
            } else {
                log_line(
                    {"the Runtime API at ", address, " is gone (", ec.message(), "); exiting"});
            }
            return 1;
        }
        export_trace_id(info.trace_id);

        call_handler(handler, payload, ctx, out);
        flush_logs();
        const bool go_on = post_outcome(client, info.request_id,
                                        out.out_of_memory ? out_of_memory : *out.response);
        if (out.out_of_memory) {
            // The heap cannot be trusted any more; the engine starts a fresh process.
            log_line({"invocation ", info.request_id, " ran out of memory; exiting"});
            flush_logs();
            std::exit(1);
        }
        if (!go_on) {
            return 1;
        }
    }
}

}  // namespace

int run(handler_fn handler, init_fn init) {
    // Line-buffered, so that a handler's lines reach the engine as they are written even when
    // stdout is a pipe.
    std::setvbuf(stdout, nullptr, _IOLBF, BUFSIZ);

    auto endpoint = endpoint_from_environment();
    if (!endpoint) {
        return 1;
    }
    const std::string address = endpoint->host + ":" + std::to_string(endpoint->port);
    runtime_api_client client(std::move(*endpoint));
    context ctx({}, function_info::from_environment());

    // Built while memory is plentiful, posted when it is not.
    const invocation_response out_of_memory = invocation_response::failure(
        "the handler ran out of memory (std::bad_alloc)", std::string(out_of_memory_type));

    if (init && !initialise(client, init, out_of_memory)) {
        return 1;
    }
    try {
        return serve(client, address, handler, ctx, out_of_memory);
    } catch (const std::bad_alloc&) {
        // Outside the handler (a huge event, say): nothing sensible is left to do.
        log_line({"out of memory in the runtime loop; exiting"});
        flush_logs();
        return 1;
    }
}

}  // namespace lambdaport::detail
