#include "config/config.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
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
    CHECK(error_of(R"({"engine": {"async_queue_limit": 0}})") ==
          "cfg.json: engine.async_queue_limit: must be an integer between 1 and 1000000");
    CHECK(error_of(R"({"engine": {"async_queue_limit": 2.5}})") ==
          "cfg.json: engine.async_queue_limit: must be an integer between 1 and 1000000");
    CHECK(
        error_of(R"({"functions": {"f": {"handler": "/x", "keep_warm": 3, "concurrency": 2}}})") ==
        "cfg.json: functions.f.keep_warm: must not exceed concurrency");
    auto syntax = error_of(R"({"functions": )");
    CHECK(syntax.starts_with("cfg.json: line 1, column 15: syntax error"));
    CHECK(syntax.find('\n') == std::string::npos);
}

TEST_CASE("numbers out of range, repeated keys and deep nesting are refused, naming the key") {
    CHECK(error_of(R"({"functions": {"f": {"handler": "/x", "timeout": 1e999}}})") ==
          "cfg.json: functions.f.timeout: the number 1e999 is out of range (line 1, column 50)");
    CHECK(error_of(R"({"functions": {"f": {"handler": "/x", "memory": -1e999}}})") ==
          "cfg.json: functions.f.memory: the number -1e999 is out of range (line 1, column 49)");
    CHECK(error_of(R"({"functions": {"f": {"handler": "/x", "memory": 1e300}}})") ==
          "cfg.json: functions.f.memory: must be an integer between 128 and 10240");
    CHECK(error_of(
              R"({"functions": {"f": {"handler": "/x", "concurrency": 18446744073709551616}}})") ==
          "cfg.json: functions.f.concurrency: must be an integer between 1 and 1000");
    CHECK(error_of("{\"functions\": {\"f\": {\"handler\": \"/x\",\n  \"timeout\": 3,\n  "
                   "\"timeout\": 5}}}") ==
          "cfg.json: functions.f.timeout: defined twice: at line 2, column 3 and at line 3, "
          "column 3");
    CHECK(error_of(R"({"functions": {"f": {"handler": "/x"}, "f": {"handler": "/y"}}})") ==
          "cfg.json: functions.f: defined twice: at line 1, column 16 and at line 1, column 40");
    CHECK(error_of("{\"functions\": " + std::string(5000, '[')) ==
          "cfg.json: line 1, column 1014: nested more than 1000 levels deep");
}

TEST_CASE("the async queue's limit") {
    CHECK(parse_json("{}", "cfg.json", "/base").async_queue_limit == 10'000);
    CHECK(parse_json(R"({"engine": {"async_queue_limit": 25}})", "cfg.json", "/base")
              .async_queue_limit == 25);
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

TEST_CASE("event sources are parsed with SAM's names and Lambda's defaults") {
    auto cfg = parse_json(R"J({"functions": {"f": {"handler": "/x", "timeout": 30, "events": {
        "Raw": {"type": "s3", "bucket": "raw-data", "prefix": "in/", "suffix": ".csv",
                "events": ["s3:ObjectCreated:*"], "mode": "poll", "poll_interval": 0.25,
                "rescan_interval": 5, "existing": false},
        "Jobs": {"type": "sqs", "queue": "arn:aws:sqs:us-east-1:000000000000:jobs",
                 "batch_size": 100, "maximum_batching_window": 2,
                 "function_response_types": ["ReportBatchItemFailures"],
                 "maximum_concurrency": 20},
        "Tick": {"type": "schedule", "schedule": "rate(5 minutes)", "input": "{\"a\": 1}",
                 "enabled": false},
        "Plain": {"type": "sqs", "queue": "q"}}}}})J",
                          "cfg.json", "/base");
    const auto& events = cfg.functions.at(0).events;
    REQUIRE(events.size() == 4);
    // nlohmann's objects iterate in key order.
    CHECK(events[0].name == "Jobs");
    CHECK(events[0].type == event_source_config::kind::sqs);
    CHECK(events[0].sqs.queue == "arn:aws:sqs:us-east-1:000000000000:jobs");
    CHECK(events[0].sqs.batch_size == 100);
    CHECK(events[0].sqs.maximum_batching_window == std::chrono::milliseconds{2000});
    CHECK(events[0].sqs.report_batch_item_failures);
    CHECK(events[0].sqs.maximum_concurrency == 20);
    CHECK(events[1].name == "Plain");
    CHECK(events[1].sqs.batch_size == 10);
    CHECK(events[1].sqs.maximum_batching_window == std::chrono::milliseconds{0});
    CHECK_FALSE(events[1].sqs.report_batch_item_failures);
    CHECK(events[2].name == "Raw");
    CHECK(events[2].type == event_source_config::kind::bucket);
    CHECK(events[2].bucket.bucket == "raw-data");
    CHECK(events[2].bucket.prefix == "in/");
    CHECK(events[2].bucket.suffix == ".csv");
    CHECK(events[2].bucket.events == std::vector<std::string>{"ObjectCreated:*"});
    CHECK(events[2].bucket.how == bucket_source_config::mode::poll);
    CHECK(events[2].bucket.poll_interval == std::chrono::milliseconds{250});
    CHECK(events[2].bucket.rescan_interval == std::chrono::milliseconds{5000});
    CHECK_FALSE(events[2].bucket.existing);
    CHECK(events[3].name == "Tick");
    CHECK(events[3].type == event_source_config::kind::schedule);
    CHECK(events[3].schedule.expression == "rate(5 minutes)");
    CHECK(events[3].schedule.input == R"J({"a":1})J");
    CHECK_FALSE(events[3].enabled);
}

TEST_CASE("a pushed bucket source") {
    auto cfg = parse_json(R"J({"functions": {"f": {"handler": "/x", "events": {"E": {
        "type": "s3", "bucket": "raw", "mode": "push", "push_endpoint": "http://10.0.0.2:3001/n",
        "push_token": "0123456789abcdef-_.~", "configure_server": false, "rescan_interval": 60}}}}})J",
                          "cfg.json", "/base");
    const auto& b = cfg.functions[0].events[0].bucket;
    CHECK(b.how == bucket_source_config::mode::push);
    CHECK(b.push_endpoint == "http://10.0.0.2:3001/n");
    CHECK(b.push_token == "0123456789abcdef-_.~");
    CHECK_FALSE(b.configure_server);
    CHECK(b.rescan_interval == std::chrono::milliseconds{60'000});
    auto defaults = parse_json(R"J({"functions": {"f": {"handler": "/x", "events": {"E": {
        "type": "s3", "bucket": "raw", "mode": "push"}}}}})J",
                               "cfg.json", "/base");
    CHECK(defaults.functions[0].events[0].bucket.configure_server);
    CHECK(defaults.functions[0].events[0].bucket.push_token.empty());

    ::setenv("LAMBDAPORT_TEST_PUSH_TOKEN", "from-the-environment-0123", 1);
    auto from_env = parse_json(R"J({"functions": {"f": {"handler": "/x", "events": {"E": {
        "type": "s3", "bucket": "raw", "mode": "push", "push_token": "env:LAMBDAPORT_TEST_PUSH_TOKEN"}}}}})J",
                               "cfg.json", "/base");
    CHECK(from_env.functions[0].events[0].bucket.push_token == "from-the-environment-0123");
    ::unsetenv("LAMBDAPORT_TEST_PUSH_TOKEN");
    CHECK_THROWS_WITH_AS(
        parse_json(R"J({"functions": {"f": {"handler": "/x", "events": {"E": {
        "type": "s3", "bucket": "raw", "mode": "push", "push_token": "env:LAMBDAPORT_TEST_PUSH_TOKEN"}}}}})J",
                   "cfg.json", "/base"),
        "cfg.json: functions.f.events.E.push_token: names the environment variable "
        "'LAMBDAPORT_TEST_PUSH_TOKEN', which is not set",
        config_error);
}

TEST_CASE("event source mistakes name the key and the reason") {
    auto with = [](const std::string& event) {
        return error_of(R"J({"functions": {"f": {"handler": "/x", "events": {"E": )J" + event +
                        "}}}}");
    };
    CHECK(with(R"J({"bucket": "b"})J") ==
          R"J(cfg.json: functions.f.events.E.type: missing ("s3", "sqs" or "schedule"))J");
    CHECK(with(R"J({"type": "sns"})J") ==
          R"J(cfg.json: functions.f.events.E.type: must be "s3", "sqs" or "schedule", got "sns")J");
    CHECK(with(R"J({"type": "s3"})J") ==
          "cfg.json: functions.f.events.E.bucket: missing (the bucket to watch)");
    CHECK(with(R"J({"type": "s3", "bucket": "Bad_Name"})J") ==
          "cfg.json: functions.f.events.E.bucket: 'Bad_Name' is not a valid bucket name");
    CHECK(with(R"J({"type": "s3", "bucket": "ok-b", "events": ["s3:ObjectRemoved:*"]})J") ==
          "cfg.json: functions.f.events.E.events[0]: 's3:ObjectRemoved:*' is not supported "
          "(s3:ObjectCreated:*, s3:ObjectCreated:Put or s3:ObjectCreated:CompleteMultipartUpload)");
    CHECK(with(R"J({"type": "s3", "bucket": "ok-b", "mode": "listen"})J") ==
          R"J(cfg.json: functions.f.events.E.mode: must be "auto", "watch", "poll" or "push", got "listen")J");
    CHECK(with(R"J({"type": "s3", "bucket": "ok-b", "push_token": "0123456789abcdef"})J") ==
          R"J(cfg.json: functions.f.events.E.push_token: only applies to "mode": "push")J");
    CHECK(with(R"J({"type": "s3", "bucket": "ok-b", "mode": "push", "push_token": "short"})J") ==
          "cfg.json: functions.f.events.E.push_token: must be 16 or more of A-Z a-z 0-9 - _ . ~ "
          "(it goes into a URL)");
    CHECK(with(R"J({"type": "s3", "bucket": "ok-b", "mode": "push",
                    "push_token": "0123456789abcdef&x=1"})J") ==
          "cfg.json: functions.f.events.E.push_token: must be 16 or more of A-Z a-z 0-9 - _ . ~ "
          "(it goes into a URL)");
    CHECK(with(R"J({"type": "s3", "bucket": "ok-b", "mode": "push", "push_endpoint": "ftp://x"})J") ==
          R"J(cfg.json: functions.f.events.E.push_endpoint: must be an http:// or https:// URL, got "ftp://x")J");
    CHECK(with(R"J({"type": "s3", "bucket": "ok-b", "mode": "push", "configure_server": "yes"})J")
              .find("functions.f.events.E.configure_server:") != std::string::npos);
    CHECK(with(R"J({"type": "s3", "bucket": "ok-b", "queue": "q"})J") ==
          "cfg.json: functions.f.events.E.queue: unknown key");
    CHECK(with(R"J({"type": "sqs", "queue": "q", "batch_size": 10001})J") ==
          "cfg.json: functions.f.events.E.batch_size: must be an integer between 1 and 10000");
    CHECK(with(R"J({"type": "sqs", "queue": "q", "batch_size": 11})J") ==
          "cfg.json: functions.f.events.E.maximum_batching_window: must be at least 1 second "
          "when batch_size is more than 10");
    CHECK(with(R"J({"type": "sqs", "queue": "q", "function_response_types": ["Other"]})J") ==
          "cfg.json: functions.f.events.E.function_response_types[0]: 'Other' is not a response "
          "type (only ReportBatchItemFailures)");
    CHECK(with(R"J({"type": "sqs", "queue": "q", "maximum_concurrency": 1})J") ==
          "cfg.json: functions.f.events.E.maximum_concurrency: must be an integer between 2 and "
          "1000");
    CHECK(with(R"J({"type": "schedule"})J") ==
          "cfg.json: functions.f.events.E.schedule: missing (a rate(...) or cron(...) expression)");
    CHECK(with(R"J({"type": "schedule", "schedule": "rate(1 minutes)"})J") ==
          "cfg.json: functions.f.events.E.schedule: invalid expression 'rate(1 minutes)': the "
          "unit is singular when the value is 1 (minute)");
    CHECK(with(R"J({"type": "schedule", "schedule": "cron(0 12 * * * *)", "enabled": false})J") ==
          "cfg.json: functions.f.events.E.schedule: invalid expression 'cron(0 12 * * * *)': one "
          "of day-of-month and day-of-week must be '?'");
    CHECK(with(R"J({"type": "schedule", "schedule": "rate(1 minute)", "input": "{nope"})J") ==
          "cfg.json: functions.f.events.E.input: is not valid JSON text: line 1, column 3: syntax "
          "error while parsing object key - invalid literal; last read: '{no'; expected string "
          "literal");
    CHECK(error_of(R"J({"functions": {"f": {"handler": "/x", "events": {"a b": {}}}}})J") ==
          "cfg.json: functions.f.events.a b: an event name is 1-64 letters, digits, '-' or '_'");
}
