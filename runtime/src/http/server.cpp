#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <vector>

#include "log/log.hpp"

namespace lambdaport::runtime::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

constexpr std::chrono::seconds write_timeout{30};
constexpr std::chrono::seconds drain_timeout{10};
constexpr std::size_t drain_limit = 256 * 1024 * 1024;

}  // namespace

struct server::impl : std::enable_shared_from_this<server::impl> {
    tcp::acceptor acceptor;
    server_options options;
    handler on_request;
    std::list<beast::tcp_stream*> streams;  // open connections, closed by stop()
    bool stopped = false;

    impl(net::any_io_executor ex, server_options opts, handler h)
        : acceptor(ex), options(std::move(opts)), on_request(std::move(h)) {}

    // Timers on every read and write cost on the hot path; the Runtime API (our own child on
    // loopback, whose /next parks for ever) runs without them.
    bool timeouts() const { return options.idle_timeout.count() > 0; }

    net::awaitable<void> accept_loop();
    net::awaitable<void> session(tcp::socket socket);
    net::awaitable<bool> answer(beast::tcp_stream& stream, response res, unsigned version,
                                bool keep_alive);
    net::awaitable<void> refuse_body(beast::tcp_stream& stream, unsigned version,
                                     std::string target);
};

namespace {

request to_request(bhttp::request<bhttp::string_body>&& msg) {
    request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.headers.reserve(8);
    for (const auto& f : msg) {
        req.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    }
    req.body = std::move(msg.body());
    return req;
}

}  // namespace

net::awaitable<bool> server::impl::answer(beast::tcp_stream& stream, response res, unsigned version,
                                          bool keep_alive) {
    bhttp::response<bhttp::string_body> msg{bhttp::status(res.status), version};
    for (auto& h : res.headers) {
        msg.insert(h.name, h.value);
    }
    msg.body() = std::move(res.body);
    keep_alive = keep_alive && !res.close;
    msg.keep_alive(keep_alive);
    msg.prepare_payload();
    if (timeouts()) {
        stream.expires_after(write_timeout);
    }
    auto [ec, n] = co_await bhttp::async_write(stream, msg, use_tuple);
    co_return !ec && keep_alive;
}

net::awaitable<void> server::impl::refuse_body(beast::tcp_stream& stream, unsigned version,
                                               std::string target) {
    // Answer, then read and drop what the client is still sending: closing on unread data would
    // reset the connection and the client would never see the 413.
    co_await answer(stream, options.too_large(target), version, false);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.expires_after(drain_timeout);
    std::vector<char> sink(64 * 1024);
    for (std::size_t drained = 0; drained < drain_limit;) {
        auto [ec, n] = co_await stream.async_read_some(net::buffer(sink), use_tuple);
        if (ec) {
            break;
        }
        drained += n;
    }
}

net::awaitable<void> server::impl::session(tcp::socket socket) {
    auto self = shared_from_this();
    socket.set_option(tcp::no_delay(true));
    beast::tcp_stream stream(std::move(socket));
    auto registration = streams.insert(streams.end(), &stream);
    beast::flat_buffer buffer;
    // Room for a whole small request in one read (Beast would start with 512 bytes).
    buffer.reserve(8192);
    for (bool open = !stopped; open;) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.body_limit(options.body_limit);
        if (timeouts()) {
            stream.expires_after(options.idle_timeout);
        }
        auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, use_tuple);
        const auto& head = parser.get();
        if (ec == bhttp::error::body_limit) {
            // The parser checks Content-Length against the limit as soon as the header is in.
            co_await refuse_body(stream, head.version(), std::string(head.target()));
            break;
        }
        if (ec) {
            break;  // eof, reset, timeout or stop(): the connection ends here
        }
        if (auto expect = head[bhttp::field::expect]; beast::iequals(expect, "100-continue")) {
            bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, head.version()};
            auto [wec, wn] = co_await bhttp::async_write(stream, cont, use_tuple);
            if (wec) {
                break;
            }
        }
        if (!parser.is_done()) {
            auto [rec, rn] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
            if (rec == bhttp::error::body_limit) {
                co_await refuse_body(stream, head.version(), std::string(head.target()));
                break;
            }
            if (rec) {
                break;
            }
        }
        auto msg = parser.release();
        unsigned version = msg.version();
        bool keep_alive = msg.keep_alive();
        if (timeouts()) {
            stream.expires_never();  // the handler may take as long as the function's timeout
        }
        response res = co_await on_request(to_request(std::move(msg)));
        if (stopped) {
            break;
        }
        open = co_await answer(stream, std::move(res), version, keep_alive);
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    streams.erase(registration);
}

net::awaitable<void> server::impl::accept_loop() {
    auto self = shared_from_this();
    while (!stopped) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (ec) {
            if (stopped || ec == net::error::operation_aborted) {
                break;
            }
            log::warn("accept failed", {{"error", ec.message()}});
            continue;
        }
        net::co_spawn(acceptor.get_executor(), session(std::move(socket)),
                      log::report_exception{"http session"});
    }
}

server::server(net::any_io_executor executor, const std::string& host, std::uint16_t port,
               server_options options, handler on_request)
    : impl_(std::make_shared<impl>(executor, std::move(options), std::move(on_request))) {
    tcp::endpoint endpoint(net::ip::make_address(host), port);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen(net::socket_base::max_listen_connections);
}

server::~server() {
    stop();
}

std::uint16_t server::port() const {
    return impl_->acceptor.local_endpoint().port();
}

std::string server::address() const {
    auto ep = impl_->acceptor.local_endpoint();
    return ep.address().to_string() + ":" + std::to_string(ep.port());
}

std::string server::local_url() const {
    auto ep = impl_->acceptor.local_endpoint();
    auto address = ep.address();
    if (address.is_unspecified()) {
        // A wildcard is something to bind, not to connect to.
        address = address.is_v6() ? net::ip::address(net::ip::address_v6::loopback())
                                  : net::ip::address(net::ip::address_v4::loopback());
    }
    std::string host = address.to_string();
    if (address.is_v6()) {
        host = "[" + host + "]";
    }
    return "http://" + host + ":" + std::to_string(ep.port());
}

void server::start() {
    net::co_spawn(impl_->acceptor.get_executor(), impl_->accept_loop(),
                  log::report_exception{"http listener"});
}

void server::stop() {
    if (!impl_ || impl_->stopped) {
        return;
    }
    impl_->stopped = true;
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    for (auto* stream : impl_->streams) {
        stream->socket().close(ignored);
    }
}

std::size_t server::connections() const {
    return impl_->streams.size();
}

}  // namespace lambdaport::runtime::http
