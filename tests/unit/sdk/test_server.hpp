#pragma once

// A scripted HTTP/1.1 server on 127.0.0.1:0 for socket-level tests of the SDK's client: it
// records each request and answers with the raw bytes a test function returns. One connection at
// a time, like the Runtime API client uses.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace lambdaport::test {

struct recorded_request {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    int connection = 0;  // 1 for the first accepted connection, and so on

    std::string header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

struct reply {
    std::string bytes;         // written as is (in pieces of `piece` bytes when not 0)
    bool close_after = false;  // close the connection after writing
    bool skip_body = false;    // answer after the header block, before reading the body
    bool drain = true;         // with skip_body: read and drop the body before closing
    std::size_t piece = 0;
};

/// Builds a complete response with a Content-Length.
inline std::string http_response(int status, const std::string& body,
                                 const std::string& extra_headers = "") {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers +
           "\r\n" + body;
}

class test_server {
  public:
    using responder = std::function<reply(const recorded_request&)>;

    explicit test_server(responder respond) : respond_(std::move(respond)) {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (listener_ < 0 ||
            ::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
            ::listen(listener_, 8) != 0 ||
            ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            throw std::runtime_error("test_server: cannot listen");
        }
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { serve(); });
    }

    ~test_server() { stop(); }

    test_server(const test_server&) = delete;
    test_server& operator=(const test_server&) = delete;

    /// Stops accepting and closes the current connection; later connects are refused.
    void stop() {
        if (stopping_.exchange(true)) {
            return;
        }
        ::shutdown(listener_, SHUT_RDWR);
        const int connection = connection_.load();
        if (connection >= 0) {
            ::shutdown(connection, SHUT_RDWR);
        }
        thread_.join();
        ::close(listener_);
    }

    std::uint16_t port() const { return port_; }
    std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

    std::vector<recorded_request> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

    int connections() const { return connections_.load(); }

    /// Connections the server has closed.
    int closed_connections() const { return closed_.load(); }

  private:
    void serve() {
        while (!stopping_) {
            const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) {
                return;
            }
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            connection_ = fd;
            const int number = ++connections_;
            if (!stopping_) {
                serve_connection(fd, number);
            }
            connection_ = -1;
            ::close(fd);
            ++closed_;
        }
    }

    void serve_connection(int fd, int number) {
        std::string in;
        for (;;) {
            std::size_t end;
            while ((end = in.find("\r\n\r\n")) == std::string::npos) {
                if (!receive(fd, in)) {
                    return;
                }
            }
            recorded_request request = parse_head(in.substr(0, end));
            request.connection = number;
            in.erase(0, end + 4);
            const std::size_t length = std::stoul("0" + request.header("content-length"));

            reply answer;
            if (respond_) {
                recorded_request head = request;
                answer = respond_(head);
            }
            if (answer.skip_body) {
                write(fd, answer.bytes, answer.piece);
                ::shutdown(fd, SHUT_WR);
                while (answer.drain && receive(fd, in)) {
                    in.clear();
                }
                record(std::move(request));
                return;
            }
            while (in.size() < length) {
                if (!receive(fd, in)) {
                    return;
                }
            }
            request.body = in.substr(0, length);
            in.erase(0, length);
            record(std::move(request));
            write(fd, answer.bytes, answer.piece);
            if (answer.close_after) {
                return;
            }
        }
    }

    void record(recorded_request request) {
        std::lock_guard lock(mutex_);
        requests_.push_back(std::move(request));
    }

    static bool receive(int fd, std::string& in) {
        char buffer[65536];
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
            return false;
        }
        in.append(buffer, static_cast<std::size_t>(n));
        return true;
    }

    static void write(int fd, const std::string& bytes, std::size_t piece) {
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            const std::size_t size =
                piece == 0 ? bytes.size() - sent : std::min(piece, bytes.size() - sent);
            const ssize_t n = ::send(fd, bytes.data() + sent, size, MSG_NOSIGNAL);
            if (n <= 0) {
                return;
            }
            sent += static_cast<std::size_t>(n);
        }
    }

    static recorded_request parse_head(const std::string& head) {
        recorded_request request;
        std::size_t line_end = head.find("\r\n");
        const std::string request_line = head.substr(0, line_end);
        const auto space1 = request_line.find(' ');
        const auto space2 = request_line.find(' ', space1 + 1);
        request.method = request_line.substr(0, space1);
        request.target = request_line.substr(space1 + 1, space2 - space1 - 1);
        while (line_end != std::string::npos && line_end < head.size()) {
            const std::size_t begin = line_end + 2;
            line_end = head.find("\r\n", begin);
            const std::string line = head.substr(begin, line_end - begin);
            const auto colon = line.find(':');
            if (colon == std::string::npos) {
                continue;
            }
            std::string name = line.substr(0, colon);
            for (char& c : name) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            std::string value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            request.headers[name] = value;
        }
        return request;
    }

    responder respond_;
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> connection_{-1};
    std::atomic<int> connections_{0};
    std::atomic<int> closed_{0};
    mutable std::mutex mutex_;
    std::vector<recorded_request> requests_;
};

}  // namespace lambdaport::test
