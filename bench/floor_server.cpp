// The floor of the invoke benchmark: the least a Beast HTTP/1.1 keep-alive server can do per
// request. One io_context on one thread, a coroutine per connection, and every POST answered 200
// with a small JSON body that echoes the request body. The invoke benchmark measures it with the
// same client it uses against the engine, so "engine latency / floor latency" is the engine's own
// cost.
//
// Usage: lambdaport_floor_server [--listen HOST:PORT]   (default 127.0.0.1:0)
// Prints the bound port, alone on one line, on standard output; stops on SIGINT or SIGTERM.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

http::response<http::string_body> answer(const http::request<http::string_body>& req) {
    if (req.method() != http::verb::post) {
        http::response<http::string_body> res{http::status::method_not_allowed, req.version()};
        res.set(http::field::content_type, "application/json");
        res.keep_alive(req.keep_alive());
        res.body() = R"({"message":"POST only"})";
        res.prepare_payload();
        return res;
    }
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    // Echo a JSON body as a JSON value, anything else as nothing: the bench only sends JSON.
    const std::string_view body = req.body();
    res.body().reserve(body.size() + 16);
    res.body() = R"({"echo":)";
    res.body() += body.empty() ? std::string_view{"null"} : body;
    res.body() += '}';
    res.prepare_payload();
    return res;
}

// A plain socket, with no per-operation timer: a timeout costs a timerfd_settime() for each read
// and write (two of the six system calls of a round trip), and the floor is the least a round
// trip can cost. A client that goes silent only parks a coroutine in a process that is killed
// when the benchmark ends.
net::awaitable<void> session(tcp::socket stream) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> req;
        auto [read_ec, read_n] = co_await http::async_read(stream, buffer, req, use_tuple);
        if (read_ec) {
            break;  // end_of_stream, timeout or a reset: the peer is gone either way
        }
        auto res = answer(req);
        auto [write_ec, write_n] = co_await http::async_write(stream, res, use_tuple);
        if (write_ec || !res.keep_alive()) {
            break;
        }
    }
    beast::error_code ignored;
    stream.shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> accept_loop(tcp::acceptor acceptor) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (ec == net::error::operation_aborted) {
            co_return;
        }
        if (ec) {
            continue;  // e.g. EMFILE or a connection reset before accept: keep serving
        }
        socket.set_option(tcp::no_delay(true), ec);
        auto executor = socket.get_executor();
        net::co_spawn(executor, session(std::move(socket)), [](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    std::cerr << "floor_server: session failed: " << ex.what() << '\n';
                }
            }
        });
    }
}

bool parse_endpoint(std::string_view text, tcp::endpoint& out) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        return false;
    }
    boost::system::error_code ec;
    const auto address = net::ip::make_address(std::string{text.substr(0, colon)}, ec);
    if (ec) {
        return false;
    }
    const std::string port_text{text.substr(colon + 1)};
    char* end = nullptr;
    const unsigned long port = std::strtoul(port_text.c_str(), &end, 10);
    if (port_text.empty() || *end != '\0' || port > 65535) {
        return false;
    }
    out = tcp::endpoint{address, static_cast<unsigned short>(port)};
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    tcp::endpoint endpoint{net::ip::make_address_v4("127.0.0.1"), 0};
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--listen" && i + 1 < argc && parse_endpoint(argv[i + 1], endpoint)) {
            ++i;
        } else {
            std::cerr << "usage: lambdaport_floor_server [--listen HOST:PORT]\n";
            return 2;
        }
    }
    try {
        net::io_context ioc{1};
        tcp::acceptor acceptor{ioc, endpoint};
        std::cout << acceptor.local_endpoint().port() << std::endl;

        net::signal_set signals{ioc, SIGINT, SIGTERM};
        signals.async_wait([&](const boost::system::error_code&, int) { ioc.stop(); });

        net::co_spawn(ioc, accept_loop(std::move(acceptor)), [](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    std::cerr << "floor_server: listener failed: " << ex.what() << '\n';
                }
            }
        });
        ioc.run();
    } catch (const std::exception& e) {
        std::cerr << "floor_server: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
