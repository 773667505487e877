#include "http_client.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <ostream>  // doctest prints std::error_code with it
#include <string>
#include <thread>

#include "error.hpp"
#include "test_server.hpp"

using lambdaport::detail::http_client;
using lambdaport::detail::http_endpoint;
using lambdaport::detail::http_field;
using lambdaport::detail::parse_endpoint;
using lambdaport::test::http_response;
using lambdaport::test::recorded_request;
using lambdaport::test::reply;
using lambdaport::test::test_server;

namespace {

http_endpoint endpoint_of(const test_server& server) {
    return {"127.0.0.1", server.port()};
}

// A port nothing listens on: bound and closed again.
std::uint16_t closed_port() {
    test_server server(nullptr);
    const auto port = server.port();
    server.stop();
    return port;
}

}  // namespace

TEST_CASE("parse_endpoint") {
    const auto plain = parse_endpoint("127.0.0.1:9001");
    REQUIRE(plain);
    CHECK(plain->host == "127.0.0.1");
    CHECK(plain->port == 9001);

    const auto name = parse_endpoint("localhost:65535");
    REQUIRE(name);
    CHECK(name->host == "localhost");
    CHECK(name->port == 65535);

    const auto v6 = parse_endpoint("[::1]:8080");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->port == 8080);

    const auto with_scheme = parse_endpoint("http://127.0.0.1:3000/");
    REQUIRE(with_scheme);
    CHECK(with_scheme->port == 3000);

    for (const char* bad : {"", "127.0.0.1", "127.0.0.1:", ":80", "host:0", "host:65536",
                            "host:80x", "::1:80", "[::1]80", "host:-1"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_endpoint(bad));
    }
}

TEST_CASE("a GET over a real socket") {
    test_server server([](const recorded_request&) {
        return reply{http_response(200, "{\"n\":1}", "Lambda-Runtime-Aws-Request-Id: r-1\r\n")};
    });
    http_client client(endpoint_of(server));
    REQUIRE_FALSE(
        client.request({.method = "GET", .target = "/2018-06-01/runtime/invocation/next"}));
    CHECK(client.response().status_code() == 200);
    CHECK(client.response().header("lambda-runtime-aws-request-id") == "r-1");
    CHECK(client.response().body() == "{\"n\":1}");
    CHECK(client.connected());

    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].method == "GET");
    CHECK(requests[0].target == "/2018-06-01/runtime/invocation/next");
    CHECK(requests[0].header("host") == server.endpoint());
    CHECK(requests[0].headers.count("content-length") == 0);
}

TEST_CASE("a POST sends its body, content type and fields") {
    test_server server([](const recorded_request&) { return reply{http_response(202, "")}; });
    http_client client(endpoint_of(server));
    const http_field fields[] = {{"Lambda-Runtime-Function-Error-Type", "Validation.BadInput"}};
    REQUIRE_FALSE(client.request({.method = "POST",
                                  .target = "/x/error",
                                  .content_type = "application/json",
                                  .body = "{\"errorMessage\":\"m\"}",
                                  .fields = fields}));
    CHECK(client.response().status_code() == 202);
    REQUIRE_FALSE(client.request({.method = "POST", .target = "/x/response"}));

    const auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].body == "{\"errorMessage\":\"m\"}");
    CHECK(requests[0].header("content-length") == "20");
    CHECK(requests[0].header("content-type") == "application/json");
    CHECK(requests[0].header("lambda-runtime-function-error-type") == "Validation.BadInput");
    CHECK(requests[1].body.empty());
    CHECK(requests[1].header("content-length") == "0");
}

TEST_CASE("requests share one kept-alive connection") {
    test_server server(
        [](const recorded_request& r) { return reply{http_response(200, r.target)}; });
    http_client client(endpoint_of(server));
    for (int i = 0; i < 5; ++i) {
        const std::string target = "/r" + std::to_string(i);
        REQUIRE_FALSE(client.request({.method = "GET", .target = target}));
        CHECK(client.response().body() == target);
    }
    CHECK(server.connections() == 1);
}

TEST_CASE("Connection: close makes the next request reconnect") {
    test_server server([](const recorded_request&) {
        return reply{http_response(200, "bye", "Connection: close\r\n"), true};
    });
    http_client client(endpoint_of(server));
    REQUIRE_FALSE(client.request({.method = "GET", .target = "/a"}));
    CHECK(client.response().body() == "bye");
    CHECK_FALSE(client.connected());
    REQUIRE_FALSE(client.request({.method = "GET", .target = "/b"}));
    CHECK(client.response().body() == "bye");
    CHECK(server.connections() == 2);
}

TEST_CASE("a kept-alive connection the server dropped is retried on a new one") {
    // The server closes after each answer without saying so, as an idle timeout would.
    test_server server([](const recorded_request& r) {
        return reply{http_response(200, r.target), true};
    });
    http_client client(endpoint_of(server));
    REQUIRE_FALSE(client.request({.method = "GET", .target = "/first"}));
    CHECK(client.connected());
    REQUIRE_FALSE(client.request({.method = "GET", .target = "/second"}));
    CHECK(client.response().body() == "/second");
    CHECK(server.connections() == 2);
    CHECK(server.requests().size() == 2);
}

TEST_CASE("a response written in small pieces, chunked") {
    std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    std::string expected;
    for (int i = 0; i < 50; ++i) {
        const std::string data = "chunk-" + std::to_string(i) + ";";
        expected += data;
        char size[16];
        std::snprintf(size, sizeof size, "%zx\r\n", data.size());
        chunked += size + data + "\r\n";
    }
    chunked += "0\r\n\r\n";
    test_server server(
        [&](const recorded_request&) { return reply{.bytes = chunked, .piece = 3}; });
    http_client client(endpoint_of(server));
    REQUIRE_FALSE(client.request({.method = "GET", .target = "/"}));
    CHECK(client.response().body() == expected);
    // And the connection is still usable.
    REQUIRE_FALSE(client.request({.method = "GET", .target = "/"}));
    CHECK(client.response().body() == expected);
    CHECK(server.connections() == 1);
}

TEST_CASE("large bodies both ways") {
    std::string big(7 * 1024 * 1024 + 3, 'a');
    for (std::size_t i = 0; i < big.size(); i += 4099) {
        big[i] = static_cast<char>('a' + i % 26);
    }
    test_server server([&](const recorded_request&) { return reply{http_response(200, big)}; });
    http_client client(endpoint_of(server));
    REQUIRE_FALSE(client.request({.method = "POST", .target = "/big", .body = big}));
    CHECK(client.response().body().size() == big.size());
    CHECK(client.response().body() == big);
    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].body == big);
}

TEST_CASE("an early answer to a large POST is read") {
    // The server answers 413 after the header block and drains the rest, as a server refusing a
    // too-large body does.
    test_server server([](const recorded_request&) {
        return reply{.bytes = http_response(413, "{\"errorType\":\"RequestEntityTooLarge\"}"),
                     .close_after = true,
                     .skip_body = true};
    });
    http_client client(endpoint_of(server));
    const std::string big(8 * 1024 * 1024, 'x');
    REQUIRE_FALSE(client.request({.method = "POST", .target = "/r/response", .body = big}));
    CHECK(client.response().status_code() == 413);
    CHECK(client.response().body() == "{\"errorType\":\"RequestEntityTooLarge\"}");
}

TEST_CASE("a server that answers and closes before reading a large body") {
    // Unread bytes make the server's kernel reset the connection: the client sees the answer or
    // a connection error, depending on timing, but never hangs, never sends the request twice,
    // and can go on afterwards.
    test_server server([](const recorded_request& r) {
        if (r.method == "GET") {
            return reply{.bytes = http_response(200, "fine")};
        }
        return reply{.bytes = http_response(413, "{}"),
                     .close_after = true,
                     .skip_body = true,
                     .drain = false};
    });
    http_client client(endpoint_of(server));
    REQUIRE_FALSE(
        client.request({.method = "GET", .target = "/before"}));  // a kept-alive connection
    const std::string big(16 * 1024 * 1024, 'x');
    const auto ec = client.request({.method = "POST", .target = "/r/response", .body = big});
    if (!ec) {
        CHECK(client.response().status_code() == 413);
    } else {
        CHECK((ec == std::errc::connection_reset || ec == std::errc::broken_pipe ||
               ec == lambdaport::detail::error::closed_before_response));
    }
    REQUIRE_FALSE(client.request({.method = "GET", .target = "/after"}));
    CHECK(client.response().body() == "fine");
    int posts = 0;
    for (const auto& r : server.requests()) {
        posts += r.method == "POST" ? 1 : 0;
    }
    CHECK(posts == 1);
}

TEST_CASE("a kept-alive connection closed while idle is noticed before reuse") {
    test_server server([](const recorded_request& r) {
        return reply{.bytes = http_response(200, r.target), .close_after = true};
    });
    http_client client(endpoint_of(server));
    REQUIRE_FALSE(client.request({.method = "POST", .target = "/one", .body = "1"}));
    // Wait (with a deadline) until the server has closed; on loopback its FIN is then queued.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (server.closed_connections() == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
    }
    REQUIRE(server.closed_connections() == 1);
    CHECK(client.connected());  // the client has not noticed yet
    REQUIRE_FALSE(client.request({.method = "POST", .target = "/two", .body = "2"}));
    CHECK(client.response().body() == "/two");
    const auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[1].connection == 2);
    CHECK(requests[1].body == "2");
}

TEST_CASE("a malformed response is an error and closes the connection") {
    test_server server([](const recorded_request&) { return reply{"HTTP/1.1 OK\r\n\r\n", true}; });
    http_client client(endpoint_of(server));
    const auto ec = client.request({.method = "GET", .target = "/"});
    CHECK(ec == lambdaport::detail::error::malformed_status_line);
    CHECK_FALSE(client.connected());
}

TEST_CASE("a response cut short is an error") {
    test_server server([](const recorded_request&) {
        return reply{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", true};
    });
    http_client client({"127.0.0.1", server.port()});
    CHECK(client.request({.method = "GET", .target = "/"}) ==
          lambdaport::detail::error::truncated_response);
}

TEST_CASE("a server that closes without answering") {
    test_server server([](const recorded_request&) { return reply{"", true}; });
    http_client client(endpoint_of(server));
    // A fresh connection is not retried: the request may have been acted on.
    CHECK(client.request({.method = "GET", .target = "/"}) ==
          lambdaport::detail::error::closed_before_response);
    CHECK(server.requests().size() == 1);
}

TEST_CASE("connection refused") {
    http_client client({"127.0.0.1", closed_port()});
    CHECK(client.request({.method = "GET", .target = "/"}) == std::errc::connection_refused);
    CHECK_FALSE(client.connected());
}

TEST_CASE("a host name is resolved") {
    test_server server([](const recorded_request&) { return reply{http_response(200, "ok")}; });
    http_client client({"localhost", server.port()});
    REQUIRE_FALSE(client.request({.method = "GET", .target = "/"}));
    CHECK(client.response().body() == "ok");
    CHECK(server.requests().at(0).header("host") == "localhost:" + std::to_string(server.port()));
}
