#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/message.hpp"
#include "util/net.hpp"

// A keep-alive HTTP/1.1 server on Asio coroutines: listener → one session loop per connection.
namespace lambdaport::runtime::http {

/// Answers one request. It may suspend as long as it likes (the Runtime API parks `/next`).
using handler = std::function<net::awaitable<response>(request)>;

struct server_options {
    /// Largest request body accepted; a larger one is answered by `too_large(target)` and the
    /// connection closed.
    std::size_t body_limit = 6 * 1024 * 1024;
    std::function<response(std::string_view target)> too_large;
    /// Largest request header (request line and fields); a larger one is answered 431 and the
    /// connection closed.
    std::size_t header_limit = 16 * 1024;
    /// The API's error shape for what the server answers by itself: 400 for a request that is not
    /// HTTP, 431 for an oversized header, 500 when the handler failed. Empty: a JSON
    /// `{"message": ...}`.
    std::function<response(unsigned status, std::string_view message)> error;
    /// How long a connection may sit without sending a request, and, once a request's first byte
    /// is in, how long reading all of it may take; writes then get 30 s. Zero: no timeouts at all
    /// (the Runtime API: a client parks /next and never times out, and the instance's own
    /// deadline bounds everything else).
    std::chrono::milliseconds idle_timeout{0};
    std::chrono::milliseconds request_timeout{0};
    /// Open connections at most. At the bound the server closes connections that sit idle between
    /// requests to make room, and otherwise stops accepting until one ends (new ones wait in the
    /// listen backlog).
    std::size_t max_connections = 1024;
    /// Decides, once per accepted connection, whether its peer may talk to this server (given the
    /// connected socket's descriptor); a refused connection is closed before anything is read.
    /// Empty: everyone may.
    std::function<bool(int socket_fd)> admit;
};

class server {
  public:
    /// Binds `host:port` at once (port 0 picks a free port). Throws boost::system::system_error.
    server(net::any_io_executor executor, const std::string& host, std::uint16_t port,
           server_options options, handler on_request);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    std::uint16_t port() const;
    /// The bound address as HOST:PORT (`0.0.0.0:3001`), as the listening line prints it.
    std::string address() const;
    /// `http://HOST:PORT` that a client on this machine connects to: the bound address, or the
    /// loopback address of its family when bound to every interface (`0.0.0.0`, `::`); IPv6 in
    /// brackets.
    std::string local_url() const;

    /// Starts accepting connections.
    void start();
    /// Stops accepting and closes every open connection.
    void stop();

    /// The number of connections open now.
    std::size_t connections() const;

  private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace lambdaport::runtime::http
