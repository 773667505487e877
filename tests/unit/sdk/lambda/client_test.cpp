#include <doctest/doctest.h>
#include <stdlib.h>

#include <atomic>
#include <string>

#include "../test_server.hpp"
#include "aws/digest.hpp"
#include "lambdaport/lambda.hpp"

// The client over real sockets against a scripted HTTP server: what it sends, what it makes of
// the answers, when it tries again. (The engine itself answers in tests/integration.)

using namespace lambdaport::lambda;
using lambdaport::test::http_response;
using lambdaport::test::reply;
using lambdaport::test::test_server;
namespace aws = lambdaport::detail::aws;

namespace {

settings local(const test_server& server, int max_attempts = 3) {
    settings s;
    s.endpoint = "http://" + server.endpoint();
    s.max_attempts = max_attempts;
    return s;
}

template <class F>
lambda_error error_of(F f) {
    try {
        f();
    } catch (const lambda_error& e) {
        return e;
    }
    FAIL("no lambda_error was thrown");
    return lambda_error("none", 0, "");
}

// Sets an environment variable for one test case, restoring the old value afterwards.
class scoped_env {
  public:
    scoped_env(const char* name, const char* value) : name_(name) {
        if (const char* old = ::getenv(name)) {
            old_ = old;
        }
        value ? ::setenv(name, value, 1) : ::unsetenv(name);
    }
    ~scoped_env() { old_.empty() ? ::unsetenv(name_) : ::setenv(name_, old_.c_str(), 1); }

  private:
    const char* name_;
    std::string old_;
};

}  // namespace

TEST_CASE("an invoke is a signed POST of the payload; the answer's headers make the result") {
    const std::string log = "START RequestId: r-1 Version: $LATEST\nEND RequestId: r-1\n";
    test_server server([&](const auto&) {
        return reply{http_response(200, R"({"ok":true})",
                                   "X-Amz-Executed-Version: $LATEST\r\n"
                                   "X-Amz-Log-Result: " +
                                       aws::base64_encode(log) +
                                       "\r\n"
                                       "x-amzn-RequestId: r-1\r\n")};
    });
    settings s = local(server);
    s.region = "eu-west-1";
    s.access_key_id = "AKIAIOSFODNN7EXAMPLE";
    s.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    s.session_token = "token";
    const client c(s);
    CHECK(c.describe() == "lambda http://" + server.endpoint());

    const auto r =
        c.invoke("arn:aws:lambda:eu-west-1:123456789012:function:clean", R"({"order":42})",
                 {.log = log_type::tail, .client_context = R"({"custom":{}})"});
    CHECK(r.status_code == 200);
    CHECK(r.payload == R"({"ok":true})");
    CHECK(r.function_error.empty());
    CHECK(r.executed_version == "$LATEST");
    CHECK(r.log_result == log);
    CHECK(r.request_id == "r-1");

    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    const auto& q = requests[0];
    CHECK(q.method == "POST");
    CHECK(q.target ==
          "/2015-03-31/functions/"
          "arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Aclean/invocations");
    CHECK(q.body == R"({"order":42})");
    CHECK(q.header("x-amz-invocation-type") == "RequestResponse");
    CHECK(q.header("x-amz-log-type") == "Tail");
    CHECK(q.header("x-amz-client-context") == aws::base64_encode(R"({"custom":{}})"));
    CHECK(q.header("content-type") == "application/json");
    CHECK(q.header("host") == server.endpoint());
    CHECK(q.header("x-amz-security-token") == "token");
    CHECK(q.header("x-amz-date").size() == 16);
    const std::string authorization = q.header("authorization");
    CHECK(authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/"));
    CHECK(authorization.find("/eu-west-1/lambda/aws4_request, SignedHeaders=content-type;host;"
                             "x-amz-client-context;x-amz-date;x-amz-invocation-type;"
                             "x-amz-log-type;x-amz-security-token, Signature=") !=
          std::string::npos);
}

TEST_CASE("without an access key nothing is signed; Event and DryRun answer without payload") {
    test_server server([](const lambdaport::test::recorded_request& q) {
        const std::string type = q.header("x-amz-invocation-type");
        return reply{http_response(type == "Event" ? 202 : 204, "", "x-amzn-RequestId: e-1\r\n")};
    });
    const client c(local(server));
    const auto queued = c.invoke("hello", "{}", invocation_type::event);
    CHECK(queued.status_code == 202);
    CHECK(queued.payload.empty());
    CHECK(queued.request_id == "e-1");
    const auto dry =
        c.invoke("hello", "{}", {.type = invocation_type::dry_run, .qualifier = "$LATEST"});
    CHECK(dry.status_code == 204);

    const auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].header("authorization").empty());
    CHECK(requests[0].header("x-amz-invocation-type") == "Event");
    CHECK(requests[1].header("x-amz-invocation-type") == "DryRun");
    CHECK(requests[1].target == "/2015-03-31/functions/hello/invocations?Qualifier=%24LATEST");
    // One kept-alive connection for both.
    CHECK(requests[1].connection == requests[0].connection);
}

TEST_CASE("a function error is a result, not an exception") {
    test_server server([](const auto&) {
        return reply{http_response(
            200, R"({"errorMessage":"boom","errorType":"std::runtime_error","stackTrace":[]})",
            "X-Amz-Function-Error: Unhandled\r\nX-Amz-Executed-Version: $LATEST\r\n")};
    });
    const auto r = client(local(server)).invoke("fail", "{}");
    CHECK(r.status_code == 200);
    CHECK(r.function_error == "Unhandled");
    CHECK(r.payload.find("\"errorType\":\"std::runtime_error\"") != std::string::npos);
}

TEST_CASE("throttling is tried again with backoff, up to max_attempts") {
    std::atomic<int> calls{0};
    test_server server([&](const auto&) {
        if (++calls < 3) {
            return reply{
                http_response(429,
                              R"({"Type":"User","message":"Rate Exceeded.",)"
                              R"("Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"})",
                              "x-amzn-ErrorType: TooManyRequestsException\r\n")};
        }
        return reply{http_response(200, R"("done")")};
    });
    CHECK(client(local(server, 3)).invoke("busy", "{}").payload == R"("done")");
    CHECK(server.requests().size() == 3);

    calls = 0;
    const auto e = error_of([&] { client(local(server, 2)).invoke("busy", "{}"); });
    CHECK(e.code() == "TooManyRequestsException");
    CHECK(e.http_status() == 429);
    CHECK(e.reason() == "ReservedFunctionConcurrentInvocationLimitExceeded");
    CHECK(server.requests().size() == 5);
}

TEST_CASE("5xx is tried again; the caller's errors are not") {
    test_server unavailable([](const auto&) {
        return reply{http_response(503, R"({"Type":"Service","message":"try later"})",
                                   "x-amzn-ErrorType: ServiceException\r\n")};
    });
    const auto e = error_of([&] { client(local(unavailable, 3)).invoke("f", "{}"); });
    CHECK(e.code() == "ServiceException");
    CHECK(e.http_status() == 503);
    CHECK(e.type() == "Service");
    CHECK(e.message() == "try later");
    CHECK(unavailable.requests().size() == 3);

    test_server missing([](const auto&) {
        return reply{http_response(
            404,
            R"({"Type":"User",)"
            R"("message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"})",
            "x-amzn-ErrorType: ResourceNotFoundException\r\n")};
    });
    const auto m = error_of([&] { client(local(missing, 5)).invoke("nope", "{}"); });
    CHECK(m.code() == "ResourceNotFoundException");
    CHECK(m.http_status() == 404);
    CHECK(missing.requests().size() == 1);
}

TEST_CASE("no answer: NetworkError; a request that may have run is not sent twice") {
    // Refused: nothing reached a function, so every try is made.
    std::uint16_t port;
    {
        test_server gone([](const auto&) { return reply{}; });
        port = gone.port();
    }
    settings s;
    s.endpoint = "http://127.0.0.1:" + std::to_string(port);
    s.max_attempts = 2;
    const auto refused = error_of([&] { client(s).invoke("f", "{}"); });
    CHECK(refused.code() == "NetworkError");
    CHECK(refused.http_status() == 0);
    CHECK(std::string(refused.what()).find("after 2 tries") != std::string::npos);

    // The connection dropped after the request was read: the function may have run.
    test_server dropping([](const auto&) { return reply{"", true}; });
    const auto dropped = error_of([&] { client(local(dropping, 5)).invoke("f", "{}"); });
    CHECK(dropped.code() == "NetworkError");
    CHECK(dropping.requests().size() == 1);
}

TEST_CASE("lambdaport's own credential goes to an endpoint override only, never to AWS") {
    scoped_env lambda("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:3001");
    scoped_env generic("AWS_ENDPOINT_URL", nullptr);
    scoped_env key("AWS_ACCESS_KEY_ID", "STORAGEKEY");
    scoped_env secret("AWS_SECRET_ACCESS_KEY", "STORAGESECRET");
    scoped_env token("AWS_SESSION_TOKEN", "TOKEN");
    scoped_env own_key("LAMBDAPORT_ACCESS_KEY_ID", "LPHKEY");
    scoped_env own_secret("LAMBDAPORT_SECRET_ACCESS_KEY", "LPHSECRET");
    auto s = settings::from_environment();
    CHECK(s.access_key_id == "LPHKEY");
    CHECK(s.secret_access_key == "LPHSECRET");
    CHECK(s.session_token.empty());
    {
        scoped_env half("LAMBDAPORT_SECRET_ACCESS_KEY", nullptr);
        CHECK(settings::from_environment().access_key_id == "STORAGEKEY");
    }
    scoped_env to_aws("AWS_ENDPOINT_URL_LAMBDA", nullptr);
    s = settings::from_environment();
    CHECK(s.access_key_id == "STORAGEKEY");
    CHECK(s.secret_access_key == "STORAGESECRET");
    CHECK(s.session_token == "TOKEN");
}

TEST_CASE("settings come from the standard variables; bad ones are refused") {
    scoped_env lambda("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:3001");
    scoped_env generic("AWS_ENDPOINT_URL", "http://127.0.0.1:9000");
    scoped_env region("AWS_REGION", "eu-central-1");
    scoped_env key("AWS_ACCESS_KEY_ID", "AKID");
    scoped_env secret("AWS_SECRET_ACCESS_KEY", "SECRET");
    scoped_env token("AWS_SESSION_TOKEN", nullptr);
    auto s = settings::from_environment();
    CHECK(s.endpoint == "http://127.0.0.1:3001");
    CHECK(s.region == "eu-central-1");
    CHECK(s.access_key_id == "AKID");
    CHECK(s.secret_access_key == "SECRET");
    CHECK(s.session_token.empty());
    CHECK(client::from_environment().describe() == "lambda http://127.0.0.1:3001");
    {
        scoped_env unset("AWS_ENDPOINT_URL_LAMBDA", nullptr);
        CHECK(settings::from_environment().endpoint == "http://127.0.0.1:9000");
        scoped_env unset_generic("AWS_ENDPOINT_URL", nullptr);
        CHECK(client::from_environment().describe() ==
              "lambda https://lambda.eu-central-1.amazonaws.com");
    }

    settings bad;
    bad.region = "eu west";
    CHECK_THROWS_AS(client{bad}, std::invalid_argument);
    bad = {};
    bad.endpoint = "127.0.0.1:3001";
    CHECK_THROWS_AS(client{bad}, std::invalid_argument);
    bad.endpoint = "http://127.0.0.1:3001/prefix";
    CHECK_THROWS_AS(client{bad}, std::invalid_argument);
    bad.endpoint = "http://127.0.0.1:3001/";
    CHECK(client(bad).describe() == "lambda http://127.0.0.1:3001");
    bad.max_attempts = 0;
    CHECK_THROWS_AS(client{bad}, std::invalid_argument);
    CHECK_THROWS_AS(client(settings{}).invoke("", "{}"), std::invalid_argument);
}
