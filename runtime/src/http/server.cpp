#include "http/server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>
#include <vector>

#include "http/beast_request.hpp"
#include "log/log.hpp"
#include "util/json_dump.hpp"

namespace lambdaport::runtime::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

constexpr std::chrono::seconds write_timeout{30};
constexpr std::chrono::seconds drain_timeout{10};
constexpr std::size_t drain_limit = 256 * 1024 * 1024;
// After a failed accept that a retry cannot fix at once (no descriptors, no memory), wait this
// long or until a connection closes, so the loop never spins.
constexpr std::chrono::milliseconds accept_backoff{100};
constexpr std::chrono::seconds accept_warning_interval{5};

// Asio (1.81) opens and accepts sockets without close-on-exec, so a handler spawned meanwhile
// would inherit them: connections come from accept4(SOCK_CLOEXEC), the listener is marked when
// opened.
net::awaitable<std::tuple<boost::system::error_code, tcp::socket>> accept_cloexec(
    tcp::acceptor& acceptor) {
    for (;;) {
        int fd = ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) {
            tcp::socket socket(acceptor.get_executor());
            boost::system::error_code ec;
            socket.assign(acceptor.local_endpoint().protocol(), fd, ec);
            if (ec) {
                ::close(fd);
            }
            co_return std::tuple{ec, std::move(socket)};
        }
        int error = errno;
        if (error == EAGAIN || error == EWOULDBLOCK) {
            auto [ec] = co_await acceptor.async_wait(tcp::acceptor::wait_read, use_tuple);
            if (ec) {
                co_return std::tuple{ec, tcp::socket(acceptor.get_executor())};
            }
        } else if (error != EINTR && error != ECONNABORTED && error != EPROTO) {
            // (ECONNABORTED, EPROTO: that client gave up before we took it; take the next.)
            co_return std::tuple{boost::system::error_code(error, boost::system::system_category()),
                                 tcp::socket(acceptor.get_executor())};
        }
    }
}

}  // namespace

struct server::impl : std::enable_shared_from_this<server::impl> {
    struct connection {
        beast::tcp_stream* stream;
        bool idle = true;  // between requests, nothing of the next one read yet
    };

    // A session's entry in `connections`, removed however the session ends.
    class registration {
      public:
        registration(impl& server, beast::tcp_stream& stream)
            : server_(server),
              it_(server.connections.insert(server.connections.end(), {&stream})) {}
        ~registration() {
            server_.connections.erase(it_);
            server_.room.cancel();  // the accept loop may be waiting for a free slot
        }
        registration(const registration&) = delete;
        registration& operator=(const registration&) = delete;
        void set_idle(bool idle) { it_->idle = idle; }

      private:
        impl& server_;
        std::list<connection>::iterator it_;
    };

    tcp::acceptor acceptor;
    server_options options;
    handler on_request;
    std::list<connection> connections;  // open connections, closed by stop()
    net::steady_timer room;             // cancelled when a connection ends
    bool stopped = false;
    std::chrono::steady_clock::time_point last_accept_warning{};
    std::uint64_t accept_failures = 0;

    impl(net::any_io_executor ex, server_options opts, handler h)
        : acceptor(ex), options(std::move(opts)), on_request(std::move(h)), room(ex) {}

    // Timers on every read and write cost on the hot path; the Runtime API (our own child on
    // loopback, whose /next parks for ever) runs without them.
    bool timeouts() const { return options.idle_timeout.count() > 0; }

    response error(unsigned status, std::string_view message) const;
    net::awaitable<void> accept_loop();
    net::awaitable<void> wait_for_room(std::chrono::steady_clock::duration at_most);
    void close_an_idle_connection();
    void accept_failed(const boost::system::error_code& ec);
    net::awaitable<void> session(tcp::socket socket);
    net::awaitable<void> serve(beast::tcp_stream& stream, registration& reg);
    net::awaitable<bool> answer(beast::tcp_stream& stream, response res, unsigned version,
                                bool keep_alive);
    net::awaitable<void> refuse(beast::tcp_stream& stream, unsigned version, response res);
};

request detail::to_request(bhttp::request<bhttp::string_body>&& msg) {
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

namespace {

// A header value never carries a line break or a NUL into the response (response splitting),
// whatever a handler or a caller put into it.
std::string_view safe_value(std::string_view value, std::string& scratch) {
    if (value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos) {
        return value;
    }
    scratch.assign(value);
    for (auto& c : scratch) {
        if (c == '\r' || c == '\n' || c == '\0') {
            c = ' ';
        }
    }
    return scratch;
}

// A parse error of the request itself (as opposed to the connection ending or timing out).
bool is_malformed(const beast::error_code& ec) {
    static const auto& http_category = bhttp::make_error_code(bhttp::error::bad_method).category();
    return ec.category() == http_category && ec != bhttp::error::end_of_stream &&
           ec != bhttp::error::partial_message;
}

bool is_resource_exhaustion(const boost::system::error_code& ec) {
    return ec == boost::system::errc::too_many_files_open ||
           ec == boost::system::errc::too_many_files_open_in_system ||
           ec == boost::system::errc::no_buffer_space ||
           ec == boost::system::errc::not_enough_memory;
}

}  // namespace

response server::impl::error(unsigned status, std::string_view message) const {
    if (options.error) {
        return options.error(status, message);
    }
    response res;
    res.status = status;
    res.set("Content-Type", "application/json");
    res.body = util::dump_json(nlohmann::json{{"message", message}});
    return res;
}

net::awaitable<bool> server::impl::answer(beast::tcp_stream& stream, response res, unsigned version,
                                          bool keep_alive) {
    bhttp::response<bhttp::string_body> msg{bhttp::status(res.status), version};
    std::string scratch;
    for (auto& h : res.headers) {
        msg.insert(h.name, safe_value(h.value, scratch));
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

net::awaitable<void> server::impl::refuse(beast::tcp_stream& stream, unsigned version,
                                          response res) {
    // Answer, then read and drop what the client is still sending: closing on unread data would
    // reset the connection and the client would never see the answer.
    co_await answer(stream, std::move(res), version, false);
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
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    beast::tcp_stream stream(std::move(socket));
    registration reg(*this, stream);
    // Nothing a peer or a handler does may end a session with an exception: the connection is
    // closed instead, and the registration goes with the session however it ends.
    try {
        co_await serve(stream, reg);
    } catch (const std::exception& e) {
        log::error("http connection failed", {{"error", e.what()}});
    } catch (...) {
        log::error("http connection failed", {{"error", "unknown exception"}});
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> server::impl::serve(beast::tcp_stream& stream, registration& reg) {
    beast::flat_buffer buffer;
    // Room for a whole small request in one read (Beast would start with 512 bytes).
    buffer.reserve(8192);
    for (bool open = !stopped; open;) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
        parser.body_limit(options.body_limit);
        reg.set_idle(buffer.size() == 0);
        if (timeouts() && buffer.size() == 0) {
            // Idle until the next request's first byte; from there the request timeout runs.
            stream.expires_after(options.idle_timeout);
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(8192), use_tuple);
            if (ec) {
                break;  // eof, reset, idle timeout or stop()
            }
            buffer.commit(n);
        }
        reg.set_idle(false);
        if (timeouts()) {
            stream.expires_after(options.request_timeout);
        }
        auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, use_tuple);
        const auto& head = parser.get();
        const unsigned version = parser.is_header_done() ? head.version() : 11;
        if (ec == bhttp::error::body_limit) {
            // The parser checks Content-Length against the limit as soon as the header is in.
            co_await refuse(stream, version, options.too_large(std::string(head.target())));
            break;
        }
        if (ec == bhttp::error::header_limit) {
            co_await refuse(stream, version,
                            error(431, "Request header fields are larger than " +
                                           std::to_string(options.header_limit) + " bytes"));
            break;
        }
        if (is_malformed(ec)) {
            co_await refuse(stream, version, error(400, "Malformed HTTP request: " + ec.message()));
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
                co_await refuse(stream, version, options.too_large(std::string(head.target())));
                break;
            }
            if (is_malformed(rec)) {
                co_await refuse(stream, version,
                                error(400, "Malformed HTTP request body: " + rec.message()));
                break;
            }
            if (rec) {
                break;
            }
        }
        auto msg = parser.release();
        bool keep_alive = msg.keep_alive();
        if (timeouts()) {
            stream.expires_never();  // the handler may take as long as the function's timeout
        }
        std::optional<response> res;
        std::string failure;
        try {
            res = co_await on_request(detail::to_request(std::move(msg)));
        } catch (const std::exception& e) {
            failure = e.what();
        } catch (...) {
            failure = "unknown exception";
        }
        if (stopped) {
            break;
        }
        if (!res) {
            log::error("request failed", {{"error", failure}});
            res = error(500, "The server could not answer this request");
            res->close = true;
        }
        open = co_await answer(stream, std::move(*res), version, keep_alive);
    }
}

void server::impl::close_an_idle_connection() {
    for (auto& c : connections) {
        if (c.idle) {
            beast::error_code ignored;
            c.stream->socket().close(ignored);
            c.idle = false;  // closing; its session ends and frees the slot
            return;
        }
    }
}

net::awaitable<void> server::impl::wait_for_room(std::chrono::steady_clock::duration at_most) {
    room.expires_after(at_most);
    co_await room.async_wait(use_tuple);
}

void server::impl::accept_failed(const boost::system::error_code& ec) {
    // One line per interval, with how many failed since the last one: a flood of accept errors
    // must not become a flood of log lines.
    ++accept_failures;
    auto now = std::chrono::steady_clock::now();
    if (now - last_accept_warning >= accept_warning_interval) {
        log::warn("accept failed", {{"error", ec.message()},
                                    {"failures", std::to_string(accept_failures)},
                                    {"connections", std::to_string(connections.size())}});
        last_accept_warning = now;
        accept_failures = 0;
    }
}

net::awaitable<void> server::impl::accept_loop() {
    auto self = shared_from_this();
    while (!stopped) {
        if (connections.size() >= options.max_connections) {
            close_an_idle_connection();
            co_await wait_for_room(std::chrono::hours{1});
            continue;
        }
        auto [ec, socket] = co_await accept_cloexec(acceptor);
        if (ec) {
            if (stopped || ec == net::error::operation_aborted) {
                break;
            }
            accept_failed(ec);
            if (is_resource_exhaustion(ec)) {
                // Out of descriptors: the pending connection stays in the backlog, so retrying
                // at once would fail at once. An idle keep-alive connection gives one back.
                close_an_idle_connection();
                co_await wait_for_room(accept_backoff);
            }
            continue;
        }
        if (options.admit && !options.admit(socket.native_handle())) {
            beast::error_code ignored;
            socket.close(ignored);
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
    ::fcntl(impl_->acceptor.native_handle(), F_SETFD, FD_CLOEXEC);
    impl_->acceptor.non_blocking(true);  // accept_cloexec() waits for connections itself
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
    impl_->room.cancel();
    for (auto& c : impl_->connections) {
        c.stream->socket().close(ignored);
    }
}

std::size_t server::connections() const {
    return impl_->connections.size();
}

}  // namespace lambdaport::runtime::http
