// The S3 backend against a scripted HTTP server on 127.0.0.1:0: resumed downloads, retries, a
// sink that throws, errors hidden in 200 answers, anonymous requests, network failures.

#include <doctest/doctest.h>

#include <lambdaport/storage.hpp>
#include <string>

#include "../test_server.hpp"

using lambdaport::storage::byte_range;
using lambdaport::storage::storage_error;
using lambdaport::storage::store;
using lambdaport::storage::store_options;
using lambdaport::test::http_response;
using lambdaport::test::recorded_request;
using lambdaport::test::reply;
using lambdaport::test::test_server;

namespace {

store s3_store(const test_server& server, const std::string& key_id = "AKIDEXAMPLE",
               int attempts = 3) {
    store::s3_settings settings;
    settings.endpoint = "http://" + server.endpoint();
    settings.access_key_id = key_id;
    settings.secret_access_key = "secret";
    store_options options;
    options.max_attempts = attempts;
    return store::s3(settings, options);
}

std::string sample(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) {
        s[i] = char('a' + i % 26);
    }
    return s;
}

storage_error error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const storage_error& e) {
        return e;
    }
    FAIL("no storage_error thrown");
    throw;
}

}  // namespace

TEST_CASE("s3 get: a connection dropped midway is resumed with Range and If-Match") {
    const std::string body = sample(100000);
    test_server server([&](const recorded_request& r) {
        if (r.header("range").empty()) {
            // The whole object promised, 40000 bytes sent, then the connection goes.
            reply cut;
            cut.bytes =
                "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nETag: \"v1\"\r\n"
                "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                "Content-Type: text/plain\r\n\r\n" +
                body.substr(0, 40000);
            cut.close_after = true;
            return cut;
        }
        CHECK(r.header("range") == "bytes=40000-");
        CHECK(r.header("if-match") == "\"v1\"");
        return reply{http_response(206, body.substr(40000),
                                   "Content-Range: bytes 40000-99999/100000\r\nETag: \"v1\"\r\n")};
    });
    std::string received;
    int pieces = 0;
    const auto info = s3_store(server).get("bucket", "key", [&](std::string_view piece) {
        received.append(piece);
        ++pieces;
    });
    CHECK(received == body);
    CHECK(pieces >= 2);
    CHECK(info.size == 100000);
    CHECK(info.etag == "\"v1\"");
    CHECK(info.content_type == "text/plain");
    CHECK(server.requests().size() == 2);
}

TEST_CASE("s3 get: a resumed range continues within the range; a changed object stops it") {
    const std::string body = sample(1000);
    SUBCASE("resumed within the range") {
        test_server server([&](const recorded_request& r) {
            if (r.header("if-match").empty()) {
                CHECK(r.header("range") == "bytes=100-599");
                reply cut;
                cut.bytes =
                    "HTTP/1.1 206 Partial\r\nContent-Length: 500\r\n"
                    "Content-Range: bytes 100-599/1000\r\nETag: \"v1\"\r\n\r\n" +
                    body.substr(100, 123);
                cut.close_after = true;
                return cut;
            }
            CHECK(r.header("range") == "bytes=223-599");
            return reply{
                http_response(206, body.substr(223, 377), "Content-Range: bytes 223-599/1000\r\n")};
        });
        CHECK(s3_store(server).get("b", "k", byte_range{100, 599}) == body.substr(100, 500));
    }
    SUBCASE("the object changed: PreconditionFailed, not a mix of two versions") {
        test_server server([&](const recorded_request& r) {
            if (r.header("if-match").empty()) {
                reply cut;
                cut.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nETag: \"v1\"\r\n\r\n" +
                            body.substr(0, 10);
                cut.close_after = true;
                return cut;
            }
            return reply{http_response(412, "<Error><Code>PreconditionFailed</Code></Error>")};
        });
        const auto e = error_of([&] { s3_store(server).get("b", "k"); });
        CHECK(e.code() == "PreconditionFailed");
        CHECK(e.http_status() == 412);
    }
}

TEST_CASE("s3 get: an exception from the sink stops the transfer and propagates") {
    const std::string body = sample(3 << 20);
    test_server server([&](const recorded_request&) { return reply{http_response(200, body)}; });
    struct stop {};
    int calls = 0;
    auto s = s3_store(server);
    CHECK_THROWS_AS(s.get("b", "k",
                          [&](std::string_view) {
                              ++calls;
                              throw stop{};
                          }),
                    stop);
    CHECK(calls == 1);
    CHECK(server.requests().size() == 1);  // not tried again
    CHECK(s.get("b", "k") == body);        // the store still works
}

TEST_CASE("s3: server errors and throttling are tried again, client errors are not") {
    SUBCASE("503 SlowDown, then success") {
        int calls = 0;
        test_server server([&](const recorded_request&) {
            if (++calls < 3) {
                return reply{http_response(503, "<Error><Code>SlowDown</Code></Error>")};
            }
            return reply{http_response(200, "fine")};
        });
        CHECK(s3_store(server).get("b", "k") == "fine");
        CHECK(calls == 3);
    }
    SUBCASE("400 RequestTimeout is tried again") {
        int calls = 0;
        test_server server([&](const recorded_request&) {
            if (++calls == 1) {
                return reply{http_response(400, "<Error><Code>RequestTimeout</Code></Error>")};
            }
            return reply{http_response(200, "", "ETag: \"e\"\r\n")};
        });
        CHECK(s3_store(server).put("b", "k", "bytes").etag == "\"e\"");
        CHECK(calls == 2);
    }
    SUBCASE("403 is final") {
        test_server server([&](const recorded_request&) {
            return reply{http_response(
                403, "<Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error>")};
        });
        const auto e = error_of([&] { s3_store(server).get("b", "k"); });
        CHECK(e.code() == "SignatureDoesNotMatch");
        CHECK(e.http_status() == 403);
        CHECK(server.requests().size() == 1);
    }
    SUBCASE("500 every time: the last answer after max_attempts tries") {
        test_server server([&](const recorded_request&) {
            return reply{http_response(500, "<Error><Code>InternalError</Code></Error>")};
        });
        const auto e = error_of([&] { s3_store(server, "AKIDEXAMPLE", 2).list("b"); });
        CHECK(e.code() == "InternalError");
        CHECK(e.http_status() == 500);
        CHECK(server.requests().size() == 2);
    }
}

TEST_CASE("s3: no server at all is a NetworkError with status 0") {
    std::string endpoint;
    {
        test_server gone([](const recorded_request&) { return reply{}; });
        endpoint = gone.endpoint();
    }
    store::s3_settings settings;
    settings.endpoint = "http://" + endpoint;
    store_options options;
    options.max_attempts = 2;
    const auto e = error_of([&] { store::s3(settings, options).head("b", "k"); });
    CHECK(e.code() == "NetworkError");
    CHECK(e.http_status() == 0);
    CHECK(std::string(e.what()).find("HeadObject b/k: NetworkError") == 0);
}

TEST_CASE("s3 head: 404 tells a missing bucket from a missing key with one HeadBucket") {
    bool bucket_exists = true;
    test_server server([&](const recorded_request& r) {
        if (r.target == "/b") {
            return reply{bucket_exists ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                                       : "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"};
        }
        if (r.target == "/b/there") {
            return reply{
                "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nETag: \"t\"\r\n"
                "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                "Content-Type: image/png\r\n\r\n"};
        }
        return reply{"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"};
    });
    auto s = s3_store(server);
    const auto info = s.head("b", "there");
    CHECK(info.key == "there");
    CHECK(info.size == 1234);
    CHECK(info.etag == "\"t\"");
    CHECK(info.content_type == "image/png");
    CHECK(std::chrono::system_clock::to_time_t(info.last_modified) == 784111777);
    CHECK(error_of([&] { s.head("b", "missing"); }).code() == "NoSuchKey");
    bucket_exists = false;
    const auto e = error_of([&] { s.head("b", "missing"); });
    CHECK(e.code() == "NoSuchBucket");
    CHECK(e.http_status() == 404);
    for (const auto& r : server.requests()) {
        CHECK(r.method == "HEAD");
    }
}

TEST_CASE("s3 copy: a 200 carrying an <Error> is an error") {
    test_server server([&](const recorded_request& r) {
        if (r.method == "HEAD") {
            return reply{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: \"s\"\r\n\r\n"};
        }
        CHECK(r.header("x-amz-copy-source") == "/src/a%20b%2Bc");
        return reply{
            http_response(200,
                          "<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code><Message>We "
                          "encountered an internal error.</Message></Error>")};
    });
    const auto e = error_of([&] { s3_store(server).copy("src", "a b+c", "dst", "k"); });
    CHECK(e.code() == "InternalError");
    CHECK(e.http_status() == 200);
}

TEST_CASE("s3 create_bucket: BucketAlreadyOwnedByYou is success, BucketAlreadyExists is not") {
    std::string code = "BucketAlreadyOwnedByYou";
    test_server server([&](const recorded_request&) {
        return reply{http_response(409, "<Error><Code>" + code + "</Code></Error>")};
    });
    auto s = s3_store(server);
    s.create_bucket("mine");
    code = "BucketAlreadyExists";
    CHECK(error_of([&] { s.create_bucket("theirs"); }).code() == "BucketAlreadyExists");
}

TEST_CASE("s3: an empty access key sends anonymous requests") {
    test_server server([&](const recorded_request&) { return reply{http_response(200, "x")}; });
    CHECK(s3_store(server, "").get("b", "k") == "x");
    const auto r = server.requests().at(0);
    CHECK(r.header("authorization").empty());
    CHECK(r.header("x-amz-date").empty());
}

TEST_CASE("s3: names that cannot be sent are refused before any request") {
    test_server server([&](const recorded_request&) { return reply{http_response(200, "")}; });
    auto s = s3_store(server);
    CHECK(error_of([&] { s.get("", "k"); }).code() == "InvalidBucketName");
    CHECK(error_of([&] { s.get("a/b", "k"); }).code() == "InvalidBucketName");
    CHECK(error_of([&] { s.put("b", "", "x"); }).code() == "InvalidObjectKey");
    CHECK(error_of([&] { s.list("b?x"); }).http_status() == 400);
    CHECK(server.requests().empty());
}

TEST_CASE("s3: one keep-alive connection serves operation after operation") {
    test_server server([&](const recorded_request& r) {
        if (r.method == "HEAD") {
            return reply{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"};
        }
        return reply{http_response(200, "ok")};
    });
    auto s = s3_store(server);
    for (int i = 0; i < 5; ++i) {
        CHECK(s.get("b", "k" + std::to_string(i)) == "ok");
        CHECK(s.head("b", "k").size == 2);
    }
    CHECK(server.requests().size() == 10);
    CHECK(server.connections() == 1);
}
