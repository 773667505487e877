#pragma once

// A minimal blocking HTTP/1.1 client for one server over one kept-alive TCP connection: what the
// Runtime API loop needs and nothing more (no TLS, no redirects, no proxies, no timeouts).

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "http_response_parser.hpp"

namespace lambdaport::detail {

/// Where the server is: a host name or IP address literal and a port.
struct http_endpoint {
    std::string host;  // without brackets for IPv6
    std::uint16_t port = 0;
};

/// Parses `host:port` or `[ipv6]:port` (an `http://` prefix and a trailing `/` are tolerated).
std::optional<http_endpoint> parse_endpoint(std::string_view text);

/// One extra request header.
using http_field = std::pair<std::string_view, std::string_view>;

struct http_request {
    std::string_view method = {};
    std::string_view target = {};
    std::string_view content_type = {};  // sent when not empty
    std::string_view body = {};          // Content-Length is always sent for POST and PUT
    std::span<const http_field> fields = {};
};

/// Sends requests to one server, one at a time, over a connection it keeps open between them.
///
/// Not thread-safe: one request at a time. The response returned by `request` refers to the
/// client's receive buffer and stays valid until the next `request`.
class http_client {
  public:
    explicit http_client(http_endpoint endpoint);
    ~http_client();
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;

    /// Sends `request` and waits, with no time limit, for the whole response. Connects first if
    /// needed, and reconnects when the server has closed the kept-alive connection. If it closes
    /// it anyway after the whole request was sent and before any answer (closed while idle, just
    /// before the request arrived), sends the request once more on a new connection.
    /// @returns an errno-style code for socket errors, or a detail::error for a response that is
    /// malformed or cut short; on error the connection is closed.
    std::error_code request(const http_request& request);

    /// The last complete response.
    const http_response_parser& response() const noexcept { return parser_; }

    /// Whether a connection is open.
    bool connected() const noexcept { return fd_ >= 0; }

    /// Closes the connection, if any (the next request reconnects).
    void close() noexcept;

  private:
    std::error_code connect();
    bool peer_closed() const noexcept;
    std::error_code connect_to(const sockaddr* address, socklen_t length);
    void format_head(const http_request& request);
    std::error_code send_request(std::string_view body);
    std::error_code read_response();
    void reserve(std::size_t capacity);

    http_endpoint endpoint_;
    std::string host_field_;  // the Host header value
    sockaddr_storage address_{};
    socklen_t address_length_ = 0;  // 0 until the endpoint was resolved

    int fd_ = -1;  // open only between complete responses or during a request
    std::chrono::steady_clock::time_point last_response_{};  // when the last response ended
    bool sent_nothing_ = false;  // the last send failed before any byte was accepted

    std::string head_;  // request line and header fields, reused between requests

    std::unique_ptr<char[]> buffer_;  // received bytes, reused between requests
    std::size_t capacity_ = 0;
    std::size_t size_ = 0;
    std::size_t consumed_ = 0;  // bytes of buffer_ taken by the last response
    http_response_parser parser_;
};

}  // namespace lambdaport::detail
