#include "config/config.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace lambdaport::runtime::config;

namespace {

std::string error_of(const std::string& text) {
    try {
        parse_json(text, "cfg.json", "/base");
    } catch (const config_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a full configuration is parsed with its units and relative paths") {
    auto cfg = parse_json(R"({
      "engine": {"listen": "127.0.0.1:0", "state_dir": "state", "region": "eu-west-1",
                 "account_id": "123456789012"},
      "functions": {
        "hello": {"handler": "bin/hello", "timeout": 2.5, "memory": 256, "concurrency": 4,
                  "keep_warm": 1, "idle_timeout": 0, "queue_size": 7,
                  "environment": {"A": "b"},
                  "async": {"max_retry_attempts": 1, "retry_delays": [0.2, 1],
                            "max_event_age": 60, "failure_destination": "/tmp/f"}}
      }})",
                          "cfg.json", "/base");
    CHECK(cfg.listen_host == "127.0.0.1");
    CHECK(cfg.listen_port == 0);
    CHECK(cfg.state_dir == "/base/state");
    CHECK(cfg.region == "eu-west-1");
    REQUIRE(cfg.functions.size() == 1);
    const auto& f = cfg.functions[0];
    CHECK(f.name == "hello");
    CHECK(f.handler == "/base/bin/hello");
    CHECK(f.handler_name == "hello");
    CHECK(f.timeout == std::chrono::milliseconds{2500});
    CHECK(f.memory_mb == 256);
    CHECK(f.concurrency == 4);
    CHECK(f.keep_warm == 1);
    CHECK(f.idle_timeout == std::chrono::milliseconds{0});
    CHECK(f.queue_size == 7);
    CHECK(f.environment.at("A") == "b");
    CHECK(f.async.max_retry_attempts == 1);
    CHECK(f.async.retry_delays ==
          std::vector<std::chrono::milliseconds>{std::chrono::milliseconds{200},
                                                 std::chrono::milliseconds{1000}});
    CHECK(f.async.max_event_age == std::chrono::seconds{60});
    CHECK(f.async.failure_destination == "/tmp/f");
}

TEST_CASE("defaults are Lambda's") {
    auto cfg = parse_json(R"({"functions": {"f": {"handler": "/x"}}})", "cfg.json", "/base");
    const auto& f = cfg.functions.at(0);
    CHECK(f.timeout == std::chrono::milliseconds{3000});
    CHECK(f.memory_mb == 128);
    CHECK(f.async.max_retry_attempts == 2);
    CHECK(cfg.listen_port == 3001);
    CHECK(cfg.listen_host == "127.0.0.1");
}

TEST_CASE("each problem is one line naming the file, the key and the reason") {
    CHECK(error_of(R"({"functions": {"f": {"handler": "/x", "timeout": 0}}})") ==
          "cfg.json: functions.f.timeout: must be a number of seconds between 1 and 900");
    CHECK(error_of(R"({"functions": {"f": {"timeout": 3}}})") ==
          "cfg.json: functions.f.handler: missing (the path of the handler executable)");
    CHECK(error_of(R"({"functions": {"f": {"handler": "/x", "memroy": 3}}})") ==
          "cfg.json: functions.f.memroy: unknown key");
    CHECK(error_of(R"({"functions": {"f": {"handler": "/x", "memory": 64}}})") ==
          "cfg.json: functions.f.memory: must be an integer between 128 and 10240");
    CHECK(error_of(R"({"functions": {"f": {"handler": "/x", "environment": {"A": 1}}}})") ==
          "cfg.json: functions.f.environment.A: must be a string");
    CHECK(error_of(R"({"functions": {"bad name": {"handler": "/x"}}})") ==
          "cfg.json: functions.bad name: a function name is 1-64 letters, digits, '-' or '_'");
    CHECK(error_of(R"({"engine": {"listen": "nohostport"}})") ==
          "cfg.json: engine.listen: must be HOST:PORT, got 'nohostport'");
    CHECK(error_of(R"({"engine": {"listen": "127.0.0.1:99999"}})") ==
          "cfg.json: engine.listen: port must be a number from 0 to 65535, got '99999'");
    CHECK(
        error_of(R"({"functions": {"f": {"handler": "/x", "keep_warm": 3, "concurrency": 2}}})") ==
        "cfg.json: functions.f.keep_warm: must not exceed concurrency");
    auto syntax = error_of(R"({"functions": )");
    CHECK(syntax.rfind("cfg.json: parse error", 0) == 0);
    CHECK(syntax.find('\n') == std::string::npos);
}

TEST_CASE("--function NAME=PATH") {
    auto f = parse_function_flag("hello=/opt/fn/bootstrap");
    CHECK(f.name == "hello");
    CHECK(f.handler == "/opt/fn/bootstrap");
    CHECK(f.handler_name == "bootstrap");
    CHECK_THROWS_AS(parse_function_flag("hello"), config_error);
    CHECK_THROWS_AS(parse_function_flag("=x"), config_error);
    CHECK_THROWS_AS(parse_function_flag("a b=x"), config_error);
}

TEST_CASE("validation of the whole configuration") {
    engine_config empty;
    CHECK_THROWS_WITH_AS(validate(empty, "cli"),
                         "cli: functions: no function configured (use --function NAME=PATH or a "
                         "\"functions\" object)",
                         config_error);
    engine_config missing;
    missing.functions.push_back(parse_function_flag("f=/nonexistent/handler"));
    CHECK_THROWS_WITH_AS(validate(missing, "cli"),
                         "cli: functions.f.handler: /nonexistent/handler is not a file",
                         config_error);
}

TEST_CASE("storage: a folder, a file URL, Amazon S3 or an S3-compatible endpoint") {
    using kind = storage_config::kind;
    auto storage_of = [](const std::string& value) {
        return parse_json(R"({"storage": )" + value + "}", "cfg.json", "/base").storage;
    };
    CHECK(parse_json("{}", "cfg.json", "/base").storage.type == kind::inherit);

    auto folder = storage_of(R"("data")");
    CHECK(folder.type == kind::file);
    CHECK(folder.root == "/base/data");
    CHECK(storage_of(R"("file:///srv/x/../data")").root == "/srv/data");
    CHECK(storage_of(R"({"type": "file", "root": "d"})").root == "/base/d");

    auto minio = storage_of(R"("http://127.0.0.1:9000/")");
    CHECK(minio.type == kind::s3);
    CHECK(minio.endpoint == "http://127.0.0.1:9000");
    CHECK(storage_of(R"({"type": "s3", "endpoint": "https://s3.example.com"})").endpoint ==
          "https://s3.example.com");
    auto amazon = storage_of(R"("s3")");
    CHECK(amazon.type == kind::s3);
    CHECK(amazon.endpoint.empty());
    CHECK(storage_of(R"({"type": "s3"})").endpoint.empty());

    CHECK(error_of(R"({"storage": ""})") == "cfg.json: storage: must be a non-empty string");
    CHECK(error_of(R"({"storage": "ftp://x"})") ==
          "cfg.json: storage: must be file:///PATH, a folder, s3 or http(s)://HOST:PORT, got "
          "'ftp://x'");
    CHECK(error_of(R"({"storage": "file://relative"})") ==
          "cfg.json: storage: a file URL names an absolute path (file:///srv/data), got "
          "'file://relative'");
    CHECK(error_of(R"({"storage": "http://h:9000/bucket"})") ==
          "cfg.json: storage: an S3 endpoint is scheme://host[:port] with no path, got "
          "'http://h:9000/bucket'");
    CHECK(error_of(R"({"storage": {"type": "gcs"}})") ==
          "cfg.json: storage.type: must be \"file\" or \"s3\", got \"gcs\"");
    CHECK(error_of(R"({"storage": {"type": "file"}})") ==
          "cfg.json: storage.root: missing (the folder whose subfolders are the buckets)");
    CHECK(error_of(R"({"storage": {"type": "s3", "root": "x"}})") ==
          "cfg.json: storage.root: applies only to \"type\": \"file\"");
    CHECK(error_of(R"({"storage": {"type": "s3", "endpoint": "data"}})") ==
          "cfg.json: storage.endpoint: must be an http:// or https:// URL");
    CHECK(error_of(R"({"storage": {"type": "file", "root": "d", "bucket": "x"}})") ==
          "cfg.json: storage.bucket: unknown key");
    CHECK(error_of(R"({"storage": []})") == "cfg.json: storage: must be an object");
}
