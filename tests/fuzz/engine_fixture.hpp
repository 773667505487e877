#pragma once

// One function, "hello", as the Invoke API and Runtime API targets need it: its settings, a
// directory that finds it, and nowhere for its log to go. Its pool never starts a process: its
// concurrency is 0, so an invocation runs only on an instance the target made itself (one that
// never spawns anything) or is refused.

#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "fuzz_support.hpp"
#include "invoke_api/invoke_api.hpp"
#include "pool/function_pool.hpp"

namespace lambdaport::fuzz {

/// The function's configuration (timeout 1 ms: an invocation nobody answers ends at once).
const runtime::config::function_config& hello_config();
/// The engine's settings; its state folder's log file of "hello" is /dev/null.
const runtime::pool::pool_settings& hello_settings();

/// What invoke_api::handle asks of the engine, for one pool.
class one_function_directory : public runtime::invoke_api::directory {
  public:
    explicit one_function_directory(runtime::pool::function_pool& fn) : fn_(fn) {}
    runtime::pool::function_pool* find(std::string_view name) override {
        return name == fn_.config().name ? &fn_ : nullptr;
    }
    std::optional<std::string> accept_event(runtime::pool::function_pool&, std::string) override {
        return "00000000-0000-4000-8000-000000000001";  // the durable queue is not under test
    }
    std::string status_json() override { return R"({"functions":{}})"; }

  private:
    runtime::pool::function_pool& fn_;
};

/// The request as the engine's HTTP server would hand it over: written as HTTP/1.1 (with its own
/// Content-Length), read back by Beast's parser, converted by http::detail::to_request. Nothing
/// when Beast refuses it (a byte no request line or header may hold): the server never delivers
/// such a request, so a target must not either.
std::optional<runtime::http::request> through_beast(const text_request& in);

/// Checks what every answer of the engine must satisfy whatever the request: a status Beast can
/// write and headers that cannot split (CR, LF or NUL would forge headers or end the head).
void check_response(const runtime::http::response& res, std::string_view where);

}  // namespace lambdaport::fuzz
