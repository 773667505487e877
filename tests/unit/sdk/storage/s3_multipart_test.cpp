// Multipart uploads against a small in-memory S3 on 127.0.0.1:0 that takes several connections
// at once (parts go out in parallel): parts and their order, the concurrency limit, retried
// parts, CompleteMultipartUpload's 200-with-<Error>, an answer lost after the upload completed,
// and abort.

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <lambdaport/storage.hpp>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/aws.hpp"

using lambdaport::storage::storage_error;
using lambdaport::storage::store;
using lambdaport::storage::store_options;
namespace detail = lambdaport::storage::detail;

namespace {

constexpr std::size_t mib = 1024 * 1024;

struct http_request {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;
    std::string body;
};

// A multi-connection HTTP/1.1 server: one thread per connection, `Expect: 100-continue`
// answered, keep-alive.
class fake_server {
  public:
    using handler = std::function<std::string(const http_request&)>;

    explicit fake_server(handler h) : handler_(std::move(h)) {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) == 0);
        REQUIRE(::listen(listener_, 16) == 0);
        REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        port_ = ntohs(address.sin_port);
        acceptor_ = std::thread([this] { accept_loop(); });
    }

    ~fake_server() {
        stopping_ = true;
        ::shutdown(listener_, SHUT_RDWR);
        acceptor_.join();
        {
            std::lock_guard<std::mutex> lock(mutex_);
            for (int fd : open_) {
                ::shutdown(fd, SHUT_RDWR);
            }
        }
        for (auto& t : connections_) {
            t.join();
        }
        ::close(listener_);
    }

    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  private:
    void accept_loop() {
        while (!stopping_) {
            const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) {
                return;
            }
            std::lock_guard<std::mutex> lock(mutex_);
            open_.push_back(fd);
            connections_.emplace_back([this, fd] { serve(fd); });
        }
    }

    void serve(int fd) {
        std::string in;
        for (;;) {
            std::size_t end;
            while ((end = in.find("\r\n\r\n")) == std::string::npos) {
                if (!receive(fd, in)) {
                    return finish(fd);
                }
            }
            http_request request;
            std::string head = in.substr(0, end);
            in.erase(0, end + 4);
            std::size_t line_end = head.find("\r\n");
            const std::string line = head.substr(0, line_end);
            request.method = line.substr(0, line.find(' '));
            request.target = line.substr(line.find(' ') + 1, line.rfind(' ') - line.find(' ') - 1);
            while (line_end != std::string::npos) {
                const std::size_t begin = line_end + 2;
                line_end = head.find("\r\n", begin);
                const std::string field = head.substr(begin, line_end - begin);
                const auto colon = field.find(':');
                std::string name = field.substr(0, colon);
                std::transform(name.begin(), name.end(), name.begin(), ::tolower);
                request.headers[name] = field.substr(field.find_first_not_of(' ', colon + 1));
            }
            if (request.headers["expect"] == "100-continue") {
                send(fd, "HTTP/1.1 100 Continue\r\n\r\n");
            }
            const std::size_t length = std::stoul("0" + request.headers["content-length"]);
            while (in.size() < length) {
                if (!receive(fd, in)) {
                    return finish(fd);
                }
            }
            request.body = in.substr(0, length);
            in.erase(0, length);
            if (!send(fd, handler_(request))) {
                return finish(fd);
            }
        }
    }

    void finish(int fd) {
        std::lock_guard<std::mutex> lock(mutex_);
        open_.erase(std::find(open_.begin(), open_.end(), fd));
        ::close(fd);
    }

    static bool receive(int fd, std::string& in) {
        char buffer[65536];
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
            return false;
        }
        in.append(buffer, std::size_t(n));
        return true;
    }

    static bool send(int fd, const std::string& bytes) {
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) {
                return false;
            }
            sent += std::size_t(n);
        }
        return true;
    }

    handler handler_;
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread acceptor_;
    std::mutex mutex_;
    std::vector<int> open_;
    std::vector<std::thread> connections_;
};

std::string answer(int status, const std::string& body, const std::string& headers = "") {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + headers + "\r\n" +
           body;
}

std::string query_value(const std::string& target, const std::string& name) {
    const auto at = target.find(name + "=");
    if (at == std::string::npos) {
        return {};
    }
    const auto start = at + name.size() + 1;
    return target.substr(start, target.find('&', start) - start);
}

std::string quoted_md5(std::string_view bytes) {
    return "\"" + detail::md5_hex(bytes) + "\"";
}

std::string multipart_etag(const std::vector<std::string>& parts) {
    std::string digests;
    for (const auto& p : parts) {
        detail::digest d(detail::digest::algorithm::md5);
        d.update(p);
        digests += d.finish();
    }
    return "\"" + detail::md5_hex(digests) + "-" + std::to_string(parts.size()) + "\"";
}

// An in-memory S3 for one object's multipart upload, with knobs for failures.
struct mini_s3 {
    std::mutex mutex;
    std::map<int, std::string> parts;
    std::string object;
    std::string object_etag;
    int active = 0;
    int most_active = 0;
    int part_requests = 0;
    int completes = 0;
    int aborts = 0;
    std::vector<std::string> part_hashes_ok;

    int fail_part_once = 0;             // this part number answers 503 SlowDown the first time
    int complete_errors = 0;            // completions answered 200 + <Error>InternalError first
    bool lose_complete_answer = false;  // complete, then answer 500 (as if the answer was lost)

    std::string handle(const http_request& r) {
        const std::string upload_id = query_value(r.target, "uploadId");
        if (r.method == "POST" && r.target.find("uploads=") != std::string::npos) {
            return answer(200,
                          "<InitiateMultipartUploadResult><UploadId>up+1/x</UploadId>"
                          "</InitiateMultipartUploadResult>");
        }
        if (r.method == "PUT" && !upload_id.empty()) {
            CHECK(upload_id == "up%2B1%2Fx");
            const int number = std::stoi(query_value(r.target, "partNumber"));
            {
                std::lock_guard<std::mutex> lock(mutex);
                ++part_requests;
                most_active = std::max(most_active, ++active);
                CHECK(r.headers.at("x-amz-content-sha256") == detail::sha256_hex(r.body));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(40));
            std::lock_guard<std::mutex> lock(mutex);
            --active;
            if (number == fail_part_once) {
                fail_part_once = 0;
                return answer(503, "<Error><Code>SlowDown</Code></Error>");
            }
            parts[number] = r.body;
            return answer(200, "", "ETag: " + quoted_md5(r.body) + "\r\n");
        }
        if (r.method == "POST" && !upload_id.empty()) {
            std::lock_guard<std::mutex> lock(mutex);
            ++completes;
            if (complete_errors > 0) {
                --complete_errors;
                return answer(200,
                              "<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code>"
                              "<Message>try again</Message></Error>");
            }
            if (parts.empty()) {
                return answer(404, "<Error><Code>NoSuchUpload</Code></Error>");
            }
            std::vector<std::string> in_order;
            std::string expected_body;
            for (const auto& [number, bytes] : parts) {
                in_order.push_back(bytes);
                expected_body += "<Part><PartNumber>" + std::to_string(number) +
                                 "</PartNumber><ETag>&quot;" + detail::md5_hex(bytes) +
                                 "&quot;</ETag></Part>";
            }
            CHECK(r.body.find(expected_body) != std::string::npos);
            object.clear();
            for (const auto& p : in_order) {
                object += p;
            }
            object_etag = multipart_etag(in_order);
            parts.clear();
            if (lose_complete_answer) {
                lose_complete_answer = false;
                return answer(500, "<Error><Code>InternalError</Code></Error>");
            }
            return answer(200, "<CompleteMultipartUploadResult><ETag>" + object_etag +
                                   "</ETag></CompleteMultipartUploadResult>");
        }
        if (r.method == "DELETE" && !upload_id.empty()) {
            std::lock_guard<std::mutex> lock(mutex);
            ++aborts;
            parts.clear();
            return answer(204, "");
        }
        if (r.method == "HEAD") {
            std::lock_guard<std::mutex> lock(mutex);
            if (object_etag.empty()) {
                return "HTTP/1.1 404 X\r\nContent-Length: 0\r\n\r\n";
            }
            return "HTTP/1.1 200 X\r\nContent-Length: " + std::to_string(object.size()) +
                   "\r\nETag: " + object_etag + "\r\n\r\n";
        }
        if (r.method == "PUT") {
            std::lock_guard<std::mutex> lock(mutex);
            object = r.body;
            object_etag = quoted_md5(r.body);
            return answer(200, "", "ETag: " + object_etag + "\r\n");
        }
        return answer(400, "<Error><Code>Unexpected</Code></Error>");
    }
};

store s3_store(const fake_server& server, int concurrency = 3) {
    store::s3_settings settings;
    settings.endpoint = server.endpoint();
    settings.access_key_id = "AKIDEXAMPLE";
    settings.secret_access_key = "secret";
    store_options options;
    options.part_size = 5 * mib;
    options.multipart_threshold = 5 * mib;
    options.max_concurrency = concurrency;
    options.max_attempts = 3;
    return store::s3(settings, options);
}

std::string sample(std::size_t n, unsigned seed) {
    std::string s(n, '\0');
    std::uint32_t x = seed * 2654435761u + 1;
    for (auto& c : s) {
        x = x * 1664525u + 1013904223u;
        c = char(x >> 24);
    }
    return s;
}

}  // namespace

TEST_CASE("s3 multipart: put from memory — parts in order, at most max_concurrency at once") {
    mini_s3 s3;
    fake_server server([&](const http_request& r) { return s3.handle(r); });
    const std::string bytes = sample(17 * mib + 3, 1);
    const auto info = s3_store(server, 3).put("b", "k", bytes);
    CHECK(s3.object == bytes);
    CHECK(info.etag == s3.object_etag);
    CHECK(info.etag.find("-4\"") != std::string::npos);
    CHECK(info.size == bytes.size());
    CHECK(s3.part_requests == 4);
    CHECK(s3.most_active >= 2);
    CHECK(s3.most_active <= 3);
    // At the threshold exactly: one PutObject.
    const std::string small = sample(5 * mib, 2);
    CHECK(s3_store(server).put("b", "k", small).etag == quoted_md5(small));
}

TEST_CASE("s3 multipart: put_file reads its parts from the file") {
    mini_s3 s3;
    fake_server server([&](const http_request& r) { return s3.handle(r); });
    const auto path = std::filesystem::temp_directory_path() /
                      ("lambdaport_s3_multipart_" + std::to_string(::getpid()));
    const std::string bytes = sample(11 * mib, 3);
    { std::ofstream(path, std::ios::binary) << bytes; }
    const auto info = s3_store(server).put_file("b", "k", path, {.content_type = "text/csv"});
    std::filesystem::remove(path);
    CHECK(s3.object == bytes);
    CHECK(info.etag == s3.object_etag);
    CHECK(info.content_type == "text/csv");
    CHECK(info.size == bytes.size());
    const auto missing = [&] {
        try {
            s3_store(server).put_file("b", "k", path);
        } catch (const storage_error& e) {
            return e.code();
        }
        return std::string("none");
    }();
    CHECK(missing == "LocalIOError");
}

TEST_CASE("s3 multipart: a streamed writer, written in odd pieces") {
    mini_s3 s3;
    fake_server server([&](const http_request& r) { return s3.handle(r); });
    const std::string bytes = sample(16 * mib + 12345, 4);
    auto writer = s3_store(server, 2).writer("b", "k");
    for (std::size_t at = 0; at < bytes.size(); at += 777777) {
        writer.write(std::string_view(bytes).substr(at, 777777));
    }
    const auto info = writer.close();
    CHECK(s3.object == bytes);
    CHECK(info.etag == s3.object_etag);
    CHECK(info.size == bytes.size());
    CHECK(s3.most_active <= 2);
    CHECK(s3.aborts == 0);
}

TEST_CASE("s3 multipart: a part answered 503 is sent again") {
    mini_s3 s3;
    s3.fail_part_once = 2;
    fake_server server([&](const http_request& r) { return s3.handle(r); });
    const std::string bytes = sample(12 * mib, 5);
    const auto info = s3_store(server).put("b", "k", bytes);
    CHECK(s3.object == bytes);
    CHECK(info.etag == s3.object_etag);
    CHECK(s3.part_requests == 4);
}

TEST_CASE("s3 multipart: CompleteMultipartUpload's 200 with an <Error>") {
    mini_s3 s3;
    fake_server server([&](const http_request& r) { return s3.handle(r); });
    const std::string bytes = sample(6 * mib, 6);
    SUBCASE("InternalError once: tried again") {
        s3.complete_errors = 1;
        CHECK(s3_store(server).put("b", "k", bytes).etag == s3.object_etag);
        CHECK(s3.completes == 2);
    }
    SUBCASE("every time: the error, and the upload aborted") {
        s3.complete_errors = 100;
        std::string code;
        int status = 0;
        try {
            s3_store(server).put("b", "k", bytes);
        } catch (const storage_error& e) {
            code = e.code();
            status = e.http_status();
        }
        CHECK(code == "InternalError");
        CHECK(status == 200);
        CHECK(s3.completes == 3);
        CHECK(s3.aborts == 1);
    }
}

TEST_CASE("s3 multipart: a completion whose answer was lost is recognised by the ETag") {
    mini_s3 s3;
    s3.lose_complete_answer = true;  // 500 after completing; the retry finds NoSuchUpload
    fake_server server([&](const http_request& r) { return s3.handle(r); });
    const std::string bytes = sample(7 * mib, 7);
    const auto info = s3_store(server).put("b", "k", bytes);
    CHECK(info.etag == s3.object_etag);
    CHECK(info.size == bytes.size());
    CHECK(s3.completes == 2);
    CHECK(s3.aborts == 0);
}

TEST_CASE("s3 multipart: a writer dropped before close aborts the upload") {
    mini_s3 s3;
    fake_server server([&](const http_request& r) { return s3.handle(r); });
    {
        auto writer = s3_store(server).writer("b", "k");
        writer.write(sample(11 * mib, 8));
    }
    CHECK(s3.aborts == 1);
    CHECK(s3.completes == 0);
    CHECK(s3.object.empty());
}
