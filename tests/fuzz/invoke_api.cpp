// One invocation through the engine, from the caller's request to the handler's answer, with no
// process and no socket: the Invoke API's handler (invoke_api::handle) gets the first request of
// the input; an instance of the function (never started, so it spawns nothing) takes it through
// the Runtime API's handler (runtime_api::handle) with the rest of the input's requests, as a
// handler would send them. `{id}` in their targets stands for the invocation's request id, which
// the target reads from the `/next` answer. Each request goes through Beast's parser and the
// server's conversion first (fuzz::through_beast), so the handlers get only what the server would
// hand them.
//
// Findings: an exception escaping either handler (the HTTP server would lose the connection
// without an answer), an answer whose headers would split, an invocation that never ends (the
// function's timeout is 1 ms, so anything longer than libFuzzer's -timeout is a hang), and what
// the sanitizers see.

#include "invoke_api/invoke_api.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>

#include "engine_fixture.hpp"
#include "fuzz_support.hpp"
#include "pool/instance.hpp"
#include "runtime_api/runtime_api.hpp"

namespace {

namespace net = boost::asio;
namespace rt = lambdaport::runtime;
namespace fuzz = lambdaport::fuzz;

void replace_all(std::string& text, std::string_view from, std::string_view to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
}

net::awaitable<void> caller(rt::invoke_api::directory& functions, rt::http::request req,
                            bool& done) {
    auto res = co_await rt::invoke_api::handle(functions, std::move(req));
    fuzz::check_response(res, "Invoke API");
    done = true;
}

net::awaitable<void> handler(std::shared_ptr<rt::pool::instance> inst,
                             std::vector<rt::http::request> requests) {
    std::string request_id;
    for (auto& req : requests) {
        if (!request_id.empty()) {
            replace_all(req.target, "{id}", request_id);
        }
        auto res = co_await rt::runtime_api::handle(inst, std::move(req));
        fuzz::check_response(res, "Runtime API");
        for (const auto& h : res.headers) {
            if (h.name == "Lambda-Runtime-Aws-Request-Id") {
                request_id = h.value;
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto parts = fuzz::sections(fuzz::as_text(data, size));
    if (parts.size() > 16) {
        return -1;  // a handler's conversation, not a flood
    }
    auto invoke_request = fuzz::through_beast(fuzz::parse_text_request(parts[0]));
    if (!invoke_request) {
        return -1;
    }
    std::vector<rt::http::request> runtime_requests;
    for (std::size_t i = 1; i < parts.size(); ++i) {
        if (auto req = fuzz::through_beast(fuzz::parse_text_request(parts[i]))) {
            runtime_requests.push_back(std::move(*req));
        }
    }

    net::io_context ioc;
    {
        rt::pool::function_pool fn(ioc.get_executor(), fuzz::hello_config(),
                                   fuzz::hello_settings());
        fuzz::one_function_directory functions(fn);
        auto inst = std::make_shared<rt::pool::instance>(fn, 1);
        bool answered = false;
        // The handler first: its GET /next parks before the invocation arrives, as a warm
        // instance's would.
        net::co_spawn(ioc, handler(inst, std::move(runtime_requests)), fuzz::escape_is_finding{});
        net::co_spawn(ioc, caller(functions, std::move(*invoke_request), answered),
                      fuzz::escape_is_finding{});
        while (!answered && ioc.run_one() > 0) {
        }
        // The instance goes (its parked /next is answered), then whatever is ready runs out; a
        // timer still pending (the kill after /init/error) is dropped with the io_context.
        inst->stop();
        fn.stop();
        while (ioc.poll() > 0) {
        }
    }
    return 0;
}
