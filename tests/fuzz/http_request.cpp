// Raw bytes as a client sends them to the Invoke API's port: Beast's request parser with the
// server's limits, the server's conversion to the engine's request (http::detail::to_request),
// the Invoke API's handler, and the answer written back by Beast as the server writes it. Several
// requests in one input are a keep-alive connection. No socket: the server's own loop is left out
// (the integration tests drive it), everything it does to one request is in.
//
// Findings: an exception escaping the handler or the conversions, an answer whose headers would
// split, and what the sanitizers see. The function's pool is stopped, so a valid invocation is
// answered at once (ServiceException) without a process.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "engine_fixture.hpp"
#include "fuzz_support.hpp"
#include "http/beast_request.hpp"
#include "invoke_api/invoke_api.hpp"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace rt = lambdaport::runtime;
namespace fuzz = lambdaport::fuzz;

struct engine {
    net::io_context ioc;
    rt::pool::function_pool fn{ioc.get_executor(), fuzz::hello_config(), fuzz::hello_settings()};
    fuzz::one_function_directory functions{fn};

    engine() { fn.stop(); }
};

engine& the_engine() {
    static engine e;
    return e;
}

net::awaitable<void> answer(rt::invoke_api::directory& functions, rt::http::request req,
                            rt::http::response& out) {
    out = co_await rt::invoke_api::handle(functions, std::move(req));
}

// As http::server writes an answer.
void write(rt::http::response res, unsigned version, bool keep_alive) {
    fuzz::check_response(res, "Invoke API");
    bhttp::response<bhttp::string_body> msg{bhttp::status(res.status), version};
    for (auto& h : res.headers) {
        msg.insert(h.name, h.value);
    }
    msg.body() = std::move(res.body);
    msg.keep_alive(keep_alive && !res.close);
    msg.prepare_payload();
    bhttp::response_serializer<bhttp::string_body> writer(msg);
    beast::error_code ec;
    std::size_t bytes = 0;
    while (!writer.is_done() && !ec) {
        writer.next(ec, [&](beast::error_code&, const auto& buffers) {
            auto n = net::buffer_size(buffers);
            bytes += n;
            writer.consume(n);
        });
    }
    if (ec || bytes == 0) {
        fuzz::fail("the answer could not be written: " + ec.message());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& e = the_engine();
    net::const_buffer input(data, size);
    for (int requests = 0; requests < 8 && input.size() > 0; ++requests) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.body_limit(rt::invoke_api::request_limit);  // as engine.cpp sets the Invoke API's
        beast::error_code ec;
        while (!ec && !parser.is_done() && input.size() > 0) {
            auto n = parser.put(input, ec);
            input += n;
            if (ec == bhttp::error::need_more && input.size() > 0 && n == 0) {
                break;  // Beast wants the whole head at once: it is all there, so it is malformed
            }
            if (ec == bhttp::error::need_more) {
                ec = {};
            }
        }
        if (!ec && !parser.is_done()) {
            parser.put_eof(ec);
        }
        if (ec == bhttp::error::body_limit) {
            write(rt::invoke_api::too_large(parser.get().target()), parser.get().version(), false);
            return 0;
        }
        if (ec || !parser.is_done()) {
            return 0;  // the server closes the connection
        }
        auto msg = parser.release();
        unsigned version = msg.version();
        bool keep_alive = msg.keep_alive();
        rt::http::response res;
        net::co_spawn(e.ioc, answer(e.functions, rt::http::detail::to_request(std::move(msg)), res),
                      fuzz::escape_is_finding{});
        e.ioc.restart();
        e.ioc.run();
        write(std::move(res), version, keep_alive);
        if (!keep_alive) {
            return 0;
        }
    }
    return 0;
}
