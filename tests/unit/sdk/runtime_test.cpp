// The whole Runtime API loop, in-process, against a scripted Runtime API on a real socket.

#include "lambdaport/runtime.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <initializer_list>
#include <iostream>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_server.hpp"

using lambdaport::context;
using lambdaport::invocation_response;
using lambdaport::test::http_response;
using lambdaport::test::recorded_request;
using lambdaport::test::reply;
using lambdaport::test::test_server;
using nlohmann::json;

namespace {

struct invocation {
    std::string id;
    std::string payload;
    std::string headers = "";  // more header lines, each ending in \r\n
};

// Hands out the scripted invocations on /next, then answers `end_status`; answers posts with
// `post_status` unless `post_statuses` has one for that path.
class scripted_api {
  public:
    explicit scripted_api(std::initializer_list<invocation> invocations, int end_status = 500)
        : invocations_(invocations.begin(), invocations.end()), end_status_(end_status) {
        ::setenv("AWS_LAMBDA_RUNTIME_API", server_.endpoint().c_str(), 1);
    }

    void answer_post(const std::string& target, int status) {
        std::lock_guard lock(mutex_);
        post_statuses_.emplace_back(target, status);
    }

    // Called with each post's target while the server holds it, before answering.
    std::function<void(const recorded_request&)> on_post;

    std::vector<recorded_request> requests() const { return server_.requests(); }
    std::vector<recorded_request> posts() const {
        std::vector<recorded_request> out;
        for (auto& r : server_.requests()) {
            if (r.method == "POST") {
                out.push_back(r);
            }
        }
        return out;
    }
    test_server& server() { return server_; }

  private:
    reply answer(const recorded_request& request) {
        std::lock_guard lock(mutex_);
        if (request.method == "GET") {
            if (invocations_.empty()) {
                return {.bytes = http_response(end_status_, R"({"errorType":"Stop"})")};
            }
            const invocation next = invocations_.front();
            invocations_.pop_front();
            return {.bytes =
                        http_response(200, next.payload,
                                      "Lambda-Runtime-Aws-Request-Id: " + next.id +
                                          "\r\nLambda-Runtime-Deadline-Ms: 4102444800000\r\n"
                                          "Lambda-Runtime-Invoked-Function-Arn: "
                                          "arn:aws:lambda:us-east-1:000000000000:function:f\r\n" +
                                          next.headers)};
        }
        if (on_post) {
            on_post(request);
        }
        for (const auto& [target, status] : post_statuses_) {
            if (target == request.target) {
                return {.bytes = http_response(status, R"({"errorType":"Scripted"})")};
            }
        }
        return {.bytes = http_response(202, R"({"status":"OK"})")};
    }

    std::mutex mutex_;
    std::deque<invocation> invocations_;
    int end_status_;
    std::vector<std::pair<std::string, int>> post_statuses_;
    test_server server_{[this](const recorded_request& r) { return answer(r); }};
};

const std::string next_path = "/2018-06-01/runtime/invocation/next";
std::string response_path(const std::string& id) {
    return "/2018-06-01/runtime/invocation/" + id + "/response";
}
std::string error_path(const std::string& id) {
    return "/2018-06-01/runtime/invocation/" + id + "/error";
}

struct my_failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace

TEST_CASE("run serves invocations in order over one connection") {
    scripted_api api({{"id-1", R"({"n":1})"}, {"id-2", R"({"n":2})"}});
    const int status = lambdaport::run([](const json& event, const context& ctx) {
        return json{{"twice", event["n"].get<int>() * 2}, {"id", ctx.request_id()}};
    });
    CHECK(status != 0);  // the script ends with a 500 on /next

    const auto requests = api.requests();
    REQUIRE(requests.size() == 5);
    CHECK(requests[0].target == next_path);
    CHECK(requests[1].target == response_path("id-1"));
    CHECK(requests[1].body == R"({"id":"id-1","twice":2})");
    CHECK(requests[1].header("content-type") == "application/json");
    CHECK(requests[1].headers.count("lambda-runtime-function-error-type") == 0);
    CHECK(requests[2].target == next_path);
    CHECK(requests[3].target == response_path("id-2"));
    CHECK(requests[3].body == R"({"id":"id-2","twice":4})");
    CHECK(requests[4].target == next_path);
    CHECK(api.server().connections() == 1);
}

TEST_CASE("a payload handler's response goes out as is, with its content type") {
    scripted_api api({{"a", "raw bytes, not JSON"}});
    lambdaport::run([](std::string_view payload, const context&) {
        return invocation_response::success("got: " + std::string(payload), "text/plain");
    });
    const auto posts = api.posts();
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].target == response_path("a"));
    CHECK(posts[0].body == "got: raw bytes, not JSON");
    CHECK(posts[0].header("content-type") == "text/plain");
}

TEST_CASE("errors are posted to /error with their type, and the loop goes on") {
    scripted_api api({{"typed", R"({"mode":"typed"})"},
                      {"exception", R"({"mode":"exception"})"},
                      {"custom", R"({"mode":"custom"})"},
                      {"int", R"({"mode":"int"})"},
                      {"returned", R"({"mode":"returned"})"},
                      {"not-json", "{{{"},
                      {"fine", R"({"mode":"fine"})"}});
    lambdaport::run([](const json& event, const context&) {
        const std::string mode = event["mode"];
        if (mode == "typed") {
            throw lambdaport::function_error("Validation.BadInput", "the input was bad");
        }
        if (mode == "exception") {
            throw std::runtime_error("boom");
        }
        if (mode == "custom") {
            throw my_failure("custom failure");
        }
        if (mode == "int") {
            throw 7;
        }
        if (mode == "returned") {
            return invocation_response::failure("returned failure", "Handler.Failure");
        }
        return invocation_response::success(R"("fine")");
    });

    const auto posts = api.posts();
    REQUIRE(posts.size() == 7);
    struct expected {
        std::string id, type, message;
    };
    const expected errors[] = {
        {"typed", "Validation.BadInput", "the input was bad"},
        {"exception", "std::runtime_error", "boom"},
        {"custom", "(anonymous namespace)::my_failure", "custom failure"},
        {"int", "Runtime.UnknownException", "an exception of type int was thrown"},
        {"returned", "Handler.Failure", "returned failure"},
    };
    for (std::size_t i = 0; i < std::size(errors); ++i) {
        CAPTURE(errors[i].id);
        CHECK(posts[i].target == error_path(errors[i].id));
        CHECK(posts[i].header("lambda-runtime-function-error-type") == errors[i].type);
        const json body = json::parse(posts[i].body);
        CHECK(body["errorType"] == errors[i].type);
        CHECK(body["errorMessage"] == errors[i].message);
        CHECK(body["stackTrace"] == json::array());
    }
    CHECK(posts[5].target == error_path("not-json"));
    CHECK(posts[5].header("lambda-runtime-function-error-type") == "Runtime.UnmarshalError");
    CHECK(posts[6].target == response_path("fine"));
    CHECK(posts[6].body == R"("fine")");
}

TEST_CASE("the context carries the /next headers and the environment") {
    ::setenv("AWS_LAMBDA_FUNCTION_NAME", "probe", 1);
    ::setenv("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST", 1);
    ::setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256", 1);
    ::setenv("_X_AMZN_TRACE_ID", "stale", 1);
    scripted_api api({{"traced", "{}",
                       "Lambda-Runtime-Trace-Id: Root=1-abc;Sampled=1\r\n"
                       "Lambda-Runtime-Client-Context: {\"custom\":{\"a\":\"b\"}}\r\n"
                       "Lambda-Runtime-Cognito-Identity: {\"cognitoIdentityId\":\"c\"}\r\n"},
                      {"untraced", "{}"}});
    std::vector<json> seen;
    lambdaport::run([&](const json&, const context& ctx) {
        const char* trace = std::getenv("_X_AMZN_TRACE_ID");
        seen.push_back({{"id", ctx.request_id()},
                        {"deadline", std::chrono::duration_cast<std::chrono::milliseconds>(
                                         ctx.deadline().time_since_epoch())
                                         .count()},
                        {"remaining_positive", ctx.remaining_time().count() > 0},
                        {"arn", ctx.invoked_function_arn()},
                        {"trace", ctx.trace_id()},
                        {"trace_env", trace != nullptr ? json(trace) : json(nullptr)},
                        {"client_context", ctx.client_context()},
                        {"cognito", ctx.cognito_identity()},
                        {"name", ctx.function_name()},
                        {"version", ctx.function_version()},
                        {"memory", ctx.memory_limit_mb()}});
        return json(nullptr);
    });
    REQUIRE(seen.size() == 2);
    CHECK(seen[0]["id"] == "traced");
    CHECK(seen[0]["deadline"] == 4102444800000LL);
    CHECK(seen[0]["remaining_positive"] == true);
    CHECK(seen[0]["arn"] == "arn:aws:lambda:us-east-1:000000000000:function:f");
    CHECK(seen[0]["trace"] == "Root=1-abc;Sampled=1");
    CHECK(seen[0]["trace_env"] == "Root=1-abc;Sampled=1");
    CHECK(seen[0]["client_context"] == R"({"custom":{"a":"b"}})");
    CHECK(seen[0]["cognito"] == R"({"cognitoIdentityId":"c"})");
    CHECK(seen[0]["name"] == "probe");
    CHECK(seen[0]["version"] == "$LATEST");
    CHECK(seen[0]["memory"] == 256);
    CHECK(seen[1]["id"] == "untraced");
    CHECK(seen[1]["trace"] == "");
    CHECK(seen[1]["trace_env"] == nullptr);
    CHECK(seen[1]["client_context"] == "");
    for (const char* name : {"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
                             "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "_X_AMZN_TRACE_ID"}) {
        ::unsetenv(name);
    }
}

TEST_CASE("refused posts are logged and the loop goes on") {
    scripted_api api({{"big", "{}"}, {"unknown", "{}"}, {"after", "{}"}});
    api.answer_post(response_path("big"), 413);
    api.answer_post(response_path("unknown"), 400);
    int calls = 0;
    lambdaport::run([&](const json&, const context&) { return ++calls; });
    CHECK(calls == 3);
    const auto posts = api.posts();
    REQUIRE(posts.size() == 3);
    CHECK(posts[2].target == response_path("after"));
}

TEST_CASE("a 500 on a post ends the loop") {
    scripted_api api({{"one", "{}"}, {"two", "{}"}});
    api.answer_post(response_path("one"), 500);
    int calls = 0;
    CHECK(lambdaport::run([&](const json&, const context&) { return ++calls; }) != 0);
    CHECK(calls == 1);
    CHECK(api.requests().size() == 2);
}

TEST_CASE("403 on /next ends the loop without calling the handler") {
    scripted_api api({}, 403);
    bool called = false;
    CHECK(lambdaport::run([&](const json&, const context&) {
              called = true;
              return 0;
          }) != 0);
    CHECK_FALSE(called);
    CHECK(api.requests().size() == 1);
}

TEST_CASE("the loop ends when the engine is gone") {
    scripted_api api({{"last", "{}"}, {"never", "{}"}});
    int calls = 0;
    const int status = lambdaport::run([&](const json&, const context&) {
        ++calls;
        api.server().stop();  // the engine goes away in the middle of an invocation
        return 0;
    });
    CHECK(status != 0);
    CHECK(calls == 1);
}

TEST_CASE("without AWS_LAMBDA_RUNTIME_API, run refuses to start") {
    bool called = false;
    auto handler = [&](const json&, const context&) {
        called = true;
        return 0;
    };
    ::unsetenv("AWS_LAMBDA_RUNTIME_API");
    CHECK(lambdaport::run(handler) != 0);
    ::setenv("AWS_LAMBDA_RUNTIME_API", "no-port-here", 1);
    CHECK(lambdaport::run(handler) != 0);
    CHECK_FALSE(called);
}

TEST_CASE("run_with_init reports a failing factory to /runtime/init/error") {
    scripted_api api({{"never", "{}"}});
    bool called = false;
    const int status = lambdaport::run_with_init([&]() {
        throw std::runtime_error("init failed: missing configuration");
        return [&](const json&, const context&) {
            called = true;
            return 0;
        };
    });
    CHECK(status != 0);
    CHECK_FALSE(called);
    const auto requests = api.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].method == "POST");
    CHECK(requests[0].target == "/2018-06-01/runtime/init/error");
    CHECK(requests[0].header("lambda-runtime-function-error-type") == "std::runtime_error");
    const json body = json::parse(requests[0].body);
    CHECK(body["errorType"] == "std::runtime_error");
    CHECK(body["errorMessage"] == "init failed: missing configuration");
}

TEST_CASE("run_with_init builds the handler once, in place") {
    // Neither copyable nor movable: it must be built where it lives.
    struct model {
        explicit model(int weight) : weight_(weight) {}
        model(const model&) = delete;
        json operator()(const json& event, const context&) {
            std::lock_guard lock(mutex_);
            return event.get<int>() * weight_;
        }
        std::mutex mutex_;
        int weight_;
    };
    scripted_api api({{"a", "2"}, {"b", "5"}});
    int built = 0;
    lambdaport::run_with_init([&] {
        ++built;
        return model(10);
    });
    CHECK(built == 1);
    const auto posts = api.posts();
    REQUIRE(posts.size() == 2);
    CHECK(posts[0].body == "20");
    CHECK(posts[1].body == "50");
}

TEST_CASE("handler output is flushed before the result is posted") {
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    ::fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
    std::fflush(stdout);
    const int saved_stdout = ::dup(STDOUT_FILENO);
    ::dup2(pipe_fds[1], STDOUT_FILENO);

    std::string seen_at_post;
    {
        scripted_api api({{"chatty", "{}"}});
        api.on_post = [&](const recorded_request&) {
            char buffer[4096];
            ssize_t n;
            while ((n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0) {
                seen_at_post.append(buffer, static_cast<std::size_t>(n));
            }
        };
        lambdaport::run([](const json&, const context&) {
            std::printf("printf without newline;");
            std::cout << "cout without newline";
            return 0;
        });
    }
    std::fflush(stdout);
    ::dup2(saved_stdout, STDOUT_FILENO);
    ::close(saved_stdout);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    CHECK(seen_at_post == "printf without newline;cout without newline");
}

TEST_CASE("std::bad_alloc is posted as Runtime.OutOfMemory, then the process exits with 1") {
    scripted_api api({{"hungry", "{}"}, {"never", "{}"}});
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        const int status =
            lambdaport::run([](const json&, const context&) -> json { throw std::bad_alloc(); });
        ::_exit(status == 1 ? 99 : 98);  // run must not return: it exits by itself
    }
    int wait_status = 0;
    REQUIRE(::waitpid(child, &wait_status, 0) == child);
    REQUIRE(WIFEXITED(wait_status));
    CHECK(WEXITSTATUS(wait_status) == 1);
    const auto posts = api.posts();
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].target == error_path("hungry"));
    CHECK(posts[0].header("lambda-runtime-function-error-type") == "Runtime.OutOfMemory");
    CHECK(json::parse(posts[0].body)["errorType"] == "Runtime.OutOfMemory");
    CHECK(api.requests().size() == 2);  // no /next after the error
}
