#include "http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace lambdaport::bench {
namespace {

constexpr std::size_t read_chunk = 64 * 1024;
constexpr std::size_t max_header_bytes = 64 * 1024;

[[noreturn]] void throw_errno(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
               return lower(x) == lower(y);
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

bool contains_token(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        if (iequals(trim(list.substr(0, comma)), token)) {
            return true;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        list.remove_prefix(comma + 1);
    }
    return false;
}

std::size_t parse_size(std::string_view text, int base, const char* what) {
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (ec != std::errc{} || end == text.data()) {
        throw std::runtime_error(std::string{"http_client: bad "} + what);
    }
    return value;
}

}  // namespace

http_client::http_client(std::string host, unsigned short port, int io_timeout_seconds)
    : host_(std::move(host)), port_(port), io_timeout_seconds_(io_timeout_seconds) {
    in_.resize(read_chunk);
}

http_client::~http_client() {
    close();
}

http_client::http_client(http_client&& other) noexcept
    : host_(std::move(other.host_)),
      port_(other.port_),
      io_timeout_seconds_(other.io_timeout_seconds_),
      fd_(std::exchange(other.fd_, -1)),
      connections_opened_(other.connections_opened_),
      request_(std::move(other.request_)),
      in_(std::move(other.in_)),
      in_begin_(std::exchange(other.in_begin_, 0)),
      in_end_(std::exchange(other.in_end_, 0)),
      response_(std::move(other.response_)) {}

http_client& http_client::operator=(http_client&& other) noexcept {
    if (this != &other) {
        close();
        host_ = std::move(other.host_);
        port_ = other.port_;
        io_timeout_seconds_ = other.io_timeout_seconds_;
        fd_ = std::exchange(other.fd_, -1);
        connections_opened_ = other.connections_opened_;
        request_ = std::move(other.request_);
        in_ = std::move(other.in_);
        in_begin_ = std::exchange(other.in_begin_, 0);
        in_end_ = std::exchange(other.in_end_, 0);
        response_ = std::move(other.response_);
    }
    return *this;
}

void http_client::connect() {
    close();
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        throw_errno("socket");
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval timeout{};
    timeout.tv_sec = io_timeout_seconds_;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);

    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    if (::inet_pton(AF_INET, host_.c_str(), &address.sin_addr) != 1) {
        close();
        throw std::runtime_error("http_client: not an IPv4 address: " + host_);
    }
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const int saved = errno;
        close();
        errno = saved;
        throw_errno("connect");
    }
    ++connections_opened_;
    in_begin_ = in_end_ = 0;
}

void http_client::close() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

void http_client::send_all(std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_errno("send");
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

bool http_client::fill() {
    if (in_begin_ == in_end_) {
        in_begin_ = in_end_ = 0;
    } else if (in_.size() - in_end_ < read_chunk / 4) {
        std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
        in_end_ -= in_begin_;
        in_begin_ = 0;
        if (in_.size() - in_end_ < read_chunk / 4) {
            in_.resize(in_.size() * 2);
        }
    }
    for (;;) {
        const ssize_t n = ::recv(fd_, in_.data() + in_end_, in_.size() - in_end_, 0);
        if (n > 0) {
            in_end_ += static_cast<std::size_t>(n);
            return true;
        }
        if (n == 0) {
            return false;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            errno = ETIMEDOUT;
        }
        throw_errno("recv");
    }
}

std::size_t http_client::find_in_input(std::string_view needle, std::size_t from) const {
    return input().find(needle, from);
}

bool http_client::read_response() {
    // Status line and headers.
    std::size_t header_end = std::string_view::npos;
    std::size_t scanned = 0;
    while ((header_end = find_in_input("\r\n\r\n", scanned)) == std::string_view::npos) {
        scanned = input().size() >= 3 ? input().size() - 3 : 0;
        if (input().size() > max_header_bytes) {
            throw std::runtime_error("http_client: response header too large");
        }
        if (!fill()) {
            throw std::system_error(std::make_error_code(std::errc::connection_reset),
                                    "http_client: connection closed before a response");
        }
    }
    const std::string_view head = input().substr(0, header_end);
    const auto first_eol = head.find("\r\n");
    const std::string_view status_line = head.substr(0, first_eol);
    if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/") {
        throw std::runtime_error("http_client: bad status line");
    }
    const bool http10 = status_line.substr(0, 8) == "HTTP/1.0";
    response_.status = static_cast<int>(parse_size(status_line.substr(9, 3), 10, "status code"));
    response_.function_error = false;
    response_.body.clear();

    std::size_t content_length = 0;
    bool has_length = false;
    bool chunked = false;
    bool keep_alive = !http10;
    std::string_view headers =
        first_eol == std::string_view::npos ? std::string_view{} : head.substr(first_eol + 2);
    while (!headers.empty()) {
        const auto eol = headers.find("\r\n");
        const std::string_view line = headers.substr(0, eol);
        headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            continue;
        }
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trim(line.substr(colon + 1));
        if (iequals(name, "content-length")) {
            content_length = parse_size(value, 10, "Content-Length");
            has_length = true;
        } else if (iequals(name, "transfer-encoding")) {
            chunked = contains_token(value, "chunked");
        } else if (iequals(name, "connection")) {
            if (contains_token(value, "close")) {
                keep_alive = false;
            } else if (contains_token(value, "keep-alive")) {
                keep_alive = true;
            }
        } else if (iequals(name, "x-amz-function-error")) {
            response_.function_error = true;
        }
    }
    in_begin_ += header_end + 4;

    if (chunked) {
        for (;;) {
            std::size_t eol;
            while ((eol = find_in_input("\r\n", 0)) == std::string_view::npos) {
                if (!fill()) {
                    throw std::runtime_error("http_client: truncated chunked body");
                }
            }
            const std::string_view size_line = input().substr(0, eol);
            const std::size_t size =
                parse_size(size_line.substr(0, size_line.find(';')), 16, "chunk size");
            in_begin_ += eol + 2;
            if (size == 0) {
                // Trailers, if any, end with an empty line.
                while ((eol = find_in_input("\r\n", 0)) != 0) {
                    if (eol == std::string_view::npos) {
                        if (!fill()) {
                            throw std::runtime_error("http_client: truncated chunked body");
                        }
                    } else {
                        in_begin_ += eol + 2;
                    }
                }
                in_begin_ += 2;
                break;
            }
            while (input().size() < size + 2) {
                if (!fill()) {
                    throw std::runtime_error("http_client: truncated chunked body");
                }
            }
            response_.body.append(input().substr(0, size));
            in_begin_ += size + 2;
        }
    } else if (has_length) {
        while (input().size() < content_length) {
            if (!fill()) {
                throw std::runtime_error("http_client: truncated body");
            }
        }
        response_.body.assign(input().substr(0, content_length));
        in_begin_ += content_length;
    } else if (response_.status >= 200 && response_.status != 204 && response_.status != 304) {
        // No framing: the body runs to the end of the connection.
        do {
            response_.body.append(input());
            in_begin_ = in_end_;
        } while (fill());
        keep_alive = false;
    }
    return keep_alive;
}

const http_response& http_client::post(std::string_view target, std::string_view body) {
    return request("POST", target, body);
}

const http_response& http_client::request(std::string_view method, std::string_view target,
                                          std::string_view body, std::string_view extra_headers) {
    request_.clear();
    request_.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ");
    request_.append(host_).append(":").append(std::to_string(port_)).append("\r\n");
    if (!body.empty()) {
        request_.append("Content-Type: application/json\r\n");
    }
    request_.append(extra_headers).append("Content-Length: ");
    request_.append(std::to_string(body.size())).append("\r\n\r\n").append(body);

    // A kept-alive connection the server has since closed fails on first use; retry that once on
    // a fresh connection. A fresh connection that fails is an error.
    for (int attempt = 0;; ++attempt) {
        const bool reused = fd_ >= 0;
        if (!reused) {
            connect();
        }
        try {
            send_all(request_);
            if (!read_response()) {
                close();
            }
            return response_;
        } catch (const std::system_error& e) {
            close();
            const bool stale =
                e.code() == std::errc::connection_reset || e.code() == std::errc::broken_pipe;
            if (!reused || attempt > 0 || !stale) {
                throw;
            }
        }
    }
}

}  // namespace lambdaport::bench
