#include "http_client.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "error.hpp"

namespace lambdaport::detail {
namespace {

constexpr std::size_t initial_buffer_bytes = 16 * 1024;

std::error_code last_error() noexcept {
    return {errno, std::system_category()};
}

// A blocking connect() interrupted by a signal goes on in the background; wait for its result.
int wait_for_connect(int fd) noexcept {
    pollfd p{fd, POLLOUT, 0};
    while (::poll(&p, 1, -1) < 0) {
        if (errno != EINTR) {
            return errno;
        }
    }
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
        return errno;
    }
    return error;
}

bool is_stale_connection_error(std::error_code ec) noexcept {
    return ec == error::closed_before_response || ec == std::errc::connection_reset ||
           ec == std::errc::broken_pipe;
}

}  // namespace

std::optional<http_endpoint> parse_endpoint(std::string_view text) {
    if (text.starts_with("http://")) {
        text.remove_prefix(7);
    }
    if (text.ends_with('/')) {
        text.remove_suffix(1);
    }
    std::string_view host;
    std::string_view port;
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos || text.substr(close + 1, 1) != ":") {
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            return std::nullopt;
        }
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) {
            return std::nullopt;  // an IPv6 literal needs brackets
        }
    }
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (host.empty() || port.empty() || ec != std::errc{} || end != port.data() + port.size() ||
        value == 0 || value > 65535) {
        return std::nullopt;
    }
    return http_endpoint{std::string(host), static_cast<std::uint16_t>(value)};
}

http_client::http_client(http_endpoint endpoint) : endpoint_(std::move(endpoint)) {
    const bool ipv6 = endpoint_.host.find(':') != std::string::npos;
    host_field_ = ipv6 ? "[" + endpoint_.host + "]" : endpoint_.host;
    host_field_ += ':';
    host_field_ += std::to_string(endpoint_.port);
}

http_client::~http_client() {
    close();
}

void http_client::close() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    size_ = 0;
    consumed_ = 0;
}

std::error_code http_client::connect() {
    if (address_length_ != 0) {
        return connect_to(reinterpret_cast<const sockaddr*>(&address_), address_length_);
    }

    // IP literals, the usual case, need no resolver.
    sockaddr_in v4{};
    sockaddr_in6 v6{};
    if (::inet_pton(AF_INET, endpoint_.host.c_str(), &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(endpoint_.port);
        std::memcpy(&address_, &v4, sizeof v4);
        address_length_ = sizeof v4;
        return connect_to(reinterpret_cast<const sockaddr*>(&address_), address_length_);
    }
    if (::inet_pton(AF_INET6, endpoint_.host.c_str(), &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(endpoint_.port);
        std::memcpy(&address_, &v6, sizeof v6);
        address_length_ = sizeof v6;
        return connect_to(reinterpret_cast<const sockaddr*>(&address_), address_length_);
    }

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(endpoint_.port);
    if (::getaddrinfo(endpoint_.host.c_str(), port.c_str(), &hints, &found) != 0 ||
        found == nullptr) {
        return error::unresolved_host;
    }
    // "localhost" may resolve to ::1 and 127.0.0.1 while the server listens on one of them only:
    // keep the first address that accepts.
    std::error_code ec = error::unresolved_host;
    for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
        ec = connect_to(a->ai_addr, a->ai_addrlen);
        if (!ec) {
            std::memcpy(&address_, a->ai_addr, a->ai_addrlen);
            address_length_ = a->ai_addrlen;
            break;
        }
    }
    ::freeaddrinfo(found);
    return ec;
}

std::error_code http_client::connect_to(const sockaddr* address, socklen_t length) {
    const int fd = ::socket(address->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return last_error();
    }
    // Requests are written in one call and answered at once: never wait for Nagle.
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, address, length) != 0) {
        int error = errno;
        if (error == EINTR) {
            error = wait_for_connect(fd);
        }
        if (error != 0) {
            ::close(fd);
            return {error, std::system_category()};
        }
    }
    fd_ = fd;
    size_ = 0;
    consumed_ = 0;
    return {};
}

void http_client::format_head(const http_request& request) {
    head_.clear();
    head_.append(request.method).append(" ").append(request.target);
    head_.append(" HTTP/1.1\r\nHost: ").append(host_field_);
    head_.append("\r\nUser-Agent: lambdaport-sdk\r\n");
    if (!request.content_type.empty()) {
        head_.append("Content-Type: ").append(request.content_type).append("\r\n");
    }
    if (request.method == "POST" || request.method == "PUT" || !request.body.empty()) {
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof digits, request.body.size()).ptr;
        head_.append("Content-Length: ").append(digits, end).append("\r\n");
    }
    for (const auto& [name, value] : request.fields) {
        head_.append(name).append(": ").append(value).append("\r\n");
    }
    head_.append("\r\n");
}

std::error_code http_client::send_request(std::string_view body) {
    // Head and body leave in one system call (one TCP segment when small).
    iovec parts[2] = {{head_.data(), head_.size()}, {const_cast<char*>(body.data()), body.size()}};
    msghdr message{};
    message.msg_iov = parts;
    message.msg_iovlen = body.empty() ? 1 : 2;
    sent_nothing_ = true;
    while (message.msg_iovlen > 0) {
        const ssize_t sent = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) {
                continue;
            }
            return last_error();
        }
        sent_nothing_ = false;
        auto left = static_cast<std::size_t>(sent);
        while (message.msg_iovlen > 0 && left >= message.msg_iov->iov_len) {
            left -= message.msg_iov->iov_len;
            ++message.msg_iov;
            --message.msg_iovlen;
        }
        if (message.msg_iovlen > 0) {
            message.msg_iov->iov_base = static_cast<char*>(message.msg_iov->iov_base) + left;
            message.msg_iov->iov_len -= left;
        }
    }
    return {};
}

void http_client::reserve(std::size_t capacity) {
    if (capacity <= capacity_) {
        return;
    }
    // Not make_unique: the bytes are about to be overwritten, zeroing them is wasted work.
    std::unique_ptr<char[]> bigger(new char[capacity]);
    if (size_ != 0) {
        std::memcpy(bigger.get(), buffer_.get(), size_);
    }
    buffer_ = std::move(bigger);
    capacity_ = capacity;
}

std::error_code http_client::read_response() {
    parser_.reset();
    if (consumed_ != 0) {
        // A well-behaved server sends nothing after a response; keep it in case it did.
        std::memmove(buffer_.get(), buffer_.get() + consumed_, size_ - consumed_);
        size_ -= consumed_;
        consumed_ = 0;
    }
    for (;;) {
        if (size_ != 0) {
            switch (parser_.parse(buffer_.get(), size_)) {
                case http_response_parser::status::done:
                    consumed_ = parser_.consumed();
                    return {};
                case http_response_parser::status::error:
                    return parser_.error();
                case http_response_parser::status::need_more:
                    break;
            }
        }
        if (size_ == capacity_ || parser_.expected_size() > capacity_) {
            reserve(std::max({parser_.expected_size(), capacity_ * 2, initial_buffer_bytes}));
        }
        const ssize_t received = ::recv(fd_, buffer_.get() + size_, capacity_ - size_, 0);
        if (received > 0) {
            size_ += static_cast<std::size_t>(received);
        } else if (received == 0) {
            if (parser_.finish_at_eof() == http_response_parser::status::done) {
                consumed_ = size_;
                return {};
            }
            return parser_.error();
        } else if (errno != EINTR) {
            return last_error();
        }
    }
}

bool http_client::peer_closed() const noexcept {
    // An idle kept-alive connection has nothing to read; if it has, the server closed or reset
    // it (or sent something unasked, which the parser will judge).
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) {
        return false;
    }
    char byte;
    const ssize_t n = ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

std::error_code http_client::request(const http_request& request) {
    format_head(request);
    // A connection answered a moment ago is still open (a server that closes says so with
    // Connection: close); checking costs two system calls on every invocation, so only a
    // connection that sat idle is checked.
    if (fd_ >= 0 && std::chrono::steady_clock::now() - last_response_ > std::chrono::seconds{1} &&
        peer_closed()) {
        close();
    }
    for (bool retried = false;; retried = true) {
        const bool fresh = fd_ < 0;
        if (fresh) {
            if (auto ec = connect()) {
                return ec;
            }
        }
        std::error_code ec = send_request(request.body);
        const bool sent = !ec;
        if (!sent) {
            // The server may have answered (413, say) and closed before reading the whole body.
            if (is_stale_connection_error(ec) && !read_response()) {
                ec.clear();
            }
        } else {
            ec = read_response();
        }
        if (!ec) {
            last_response_ = std::chrono::steady_clock::now();
            if (!parser_.keep_alive()) {
                close();  // the response stays readable: the buffer is kept
            }
            return {};
        }
        const bool nothing_received = size_ == 0;
        close();
        // Retry only what looks like a kept-alive connection closed by the server just before
        // the request reached it: all of it was sent and nothing came back. A request refused
        // while it was being sent was received, and is not sent twice.
        // A request none of whose bytes left (the connection was already dead) is retried too.
        if (fresh || retried || (!sent && !sent_nothing_) || !nothing_received ||
            !is_stale_connection_error(ec)) {
            return ec;
        }
    }
}

}  // namespace lambdaport::detail
