#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lambdaport::bench {

/// One HTTP response, as much of it as the benchmark looks at.
struct http_response {
    int status = 0;
    bool function_error = false;  ///< the response carried `X-Amz-Function-Error`
    std::string body;
};

/// A small blocking HTTP/1.1 client over one kept-alive TCP connection (POSIX sockets,
/// TCP_NODELAY). The benchmark drives the engine and the floor server with this same client, so
/// the ratio between the two measures the servers, not the clients.
///
/// It sends `POST` requests with a JSON body and reads responses framed by `Content-Length` (or
/// chunked, or closed by the server). It connects lazily and reconnects when the server closed
/// the connection. Reads and writes time out after `io_timeout_seconds`.
///
/// Errors: `post` throws `std::system_error` for socket errors and timeouts and
/// `std::runtime_error` for a response it cannot parse. Not thread safe: one client per thread.
class http_client {
  public:
    /// `host` is a numeric IPv4 address, e.g. "127.0.0.1".
    http_client(std::string host, unsigned short port, int io_timeout_seconds = 30);
    ~http_client();
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;
    http_client(http_client&& other) noexcept;
    http_client& operator=(http_client&& other) noexcept;

    /// Sends `POST target` with `body` (as application/json) and returns the response, which
    /// stays valid until the next call.
    const http_response& post(std::string_view target, std::string_view body);

    /// Sends `method target` with `body` (as application/json when not empty) and
    /// `extra_headers`, complete header lines each ending in CRLF (e.g.
    /// "X-Amz-Invocation-Type: Event\r\n"); otherwise as `post`.
    const http_response& request(std::string_view method, std::string_view target,
                                 std::string_view body, std::string_view extra_headers = {});

    /// How many TCP connections this client has opened so far.
    std::size_t connections_opened() const noexcept { return connections_opened_; }

  private:
    void connect();
    void close() noexcept;
    void send_all(std::string_view data);
    // Reads more bytes into the input buffer; false on an orderly close by the server.
    bool fill();
    // Parses one response from the connection into `response_`; returns whether the connection
    // may be reused.
    bool read_response();
    std::size_t find_in_input(std::string_view needle, std::size_t from) const;
    std::string_view input() const noexcept {
        return {in_.data() + in_begin_, in_end_ - in_begin_};
    }

    std::string host_;
    unsigned short port_;
    int io_timeout_seconds_;
    int fd_ = -1;
    std::size_t connections_opened_ = 0;
    std::string request_;
    std::vector<char> in_;
    std::size_t in_begin_ = 0;
    std::size_t in_end_ = 0;
    http_response response_;
};

}  // namespace lambdaport::bench
