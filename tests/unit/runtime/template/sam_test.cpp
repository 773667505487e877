#include "template/sam.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

using namespace lambdaport::runtime;
namespace fs = std::filesystem;

namespace {

// A folder with what CodeUri may name: fn/bootstrap, an executable, a zip.
struct workspace {
    fs::path dir;

    workspace() {
        std::random_device rd;
        dir = fs::temp_directory_path() / ("lambdaport-sam-test-" + std::to_string(rd()));
        fs::create_directories(dir / "fn");
        write(dir / "fn" / "bootstrap", "#!/bin/sh\n", true);
        write(dir / "exe", "#!/bin/sh\n", true);
        write(dir / "code.zip", std::string("PK\x03\x04", 4) + "rest", false);
        write(dir / "notes.txt", "text", false);
    }
    ~workspace() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    static void write(const fs::path& p, const std::string& text, bool executable) {
        std::ofstream(p, std::ios::binary) << text;
        if (executable) {
            fs::permissions(p, fs::perms::owner_all);
        }
    }
};

sam::load_options options() {
    sam::load_options o;
    o.sqs_endpoint = "http://127.0.0.1:4566/";
    o.state_dir = "/state";
    return o;
}

const std::string header =
    "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n";

sam::parsed_template parse(const workspace& w, const std::string& body,
                           const sam::load_options& o = options()) {
    return sam::parse(header + body, "template.yaml", w.dir, o);
}

std::string error_of(const workspace& w, const std::string& body,
                     const sam::load_options& o = options()) {
    try {
        parse(w, body, o);
    } catch (const config::config_error& e) {
        return e.what();
    }
    return "";
}

// A function with the least a template needs, and `extra` lines under its Properties.
std::string function(const std::string& extra = "", const std::string& id = "Fn") {
    return "  " + id +
           ":\n    Type: AWS::Serverless::Function\n    Properties:\n"
           "      Runtime: provided.al2023\n      Handler: bootstrap\n      CodeUri: fn\n" +
           extra;
}

}  // namespace

TEST_CASE("a function maps to the engine's configuration, Globals merged under its own values") {
    workspace w;
    auto t = parse(w, R"(Globals:
  Function:
    Timeout: 30
    MemorySize: 512
    Environment:
      Variables: {SHARED: g, OVERRIDDEN: g}
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "${AWS::StackName}-worker"
      Runtime: provided.al2
      Handler: my.handler
      CodeUri: fn/
      Timeout: 60
      ReservedConcurrentExecutions: 3
      EventInvokeConfig: {MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 120}
      Environment:
        Variables: {OWN: "1", OVERRIDDEN: f, NUMBER: 8}
      Policies: [AWSLambdaBasicExecutionRole]
)");
    REQUIRE(t.config.functions.size() == 1);
    const auto& f = t.config.functions[0];
    CHECK(f.name == "local-worker");
    CHECK(f.handler == w.dir / "fn" / "bootstrap");
    CHECK(f.handler_name == "my.handler");
    CHECK(f.timeout == std::chrono::milliseconds{60'000});
    CHECK(f.memory_mb == 512);
    CHECK(f.concurrency == 3);
    CHECK(f.async.max_retry_attempts == 0);
    CHECK(f.async.max_event_age == std::chrono::seconds{120});
    CHECK(f.environment ==
          std::map<std::string, std::string>{
              {"SHARED", "g"}, {"OVERRIDDEN", "f"}, {"OWN", "1"}, {"NUMBER", "8"}});
    CHECK(t.packages.empty());
    CHECK(t.config.stack.template_file == "template.yaml");
}

TEST_CASE("defaults: the logical id names the function; Lambda's timeout and memory") {
    workspace w;
    auto t = parse(w, "Resources:\n" + function());
    const auto& f = t.config.functions.at(0);
    CHECK(f.name == "Fn");
    CHECK(f.timeout == std::chrono::milliseconds{3'000});
    CHECK(f.memory_mb == 128);
    CHECK(f.concurrency == 10);
}

TEST_CASE("CodeUri: a folder's bootstrap, an executable, or a zip unpacked into the state folder") {
    workspace w;
    auto t = parse(w, "Resources:\n" + function("", "A") +
                          "  B:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                          "      Runtime: provided.al2023\n      Handler: x\n      CodeUri: exe\n"
                          "  C:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                          "      Runtime: provided.al2023\n      Handler: x\n"
                          "      CodeUri: code.zip\n");
    CHECK(t.config.functions.at(1).handler == w.dir / "exe");
    CHECK(t.config.functions.at(2).handler == fs::path("/state/code/C/bootstrap"));
    REQUIRE(t.packages.size() == 1);
    CHECK(t.packages[0].zip == w.dir / "code.zip");
    CHECK(t.packages[0].folder == fs::path("/state/code/C"));
    CHECK(error_of(w,
                   "Resources:\n" + function("", "A").replace(function("", "A").find("CodeUri: fn"),
                                                              11, "CodeUri: notes.txt")) ==
          "template.yaml: Resources.A.Properties.CodeUri: " + (w.dir / "notes.txt").string() +
              " is neither a zip nor an executable");
}

TEST_CASE("events: S3 with its filter, SQS on a queue of the template, schedules") {
    workspace w;
    auto t = parse(w, R"(Resources:
  Raw:
    Type: AWS::S3::Bucket
  Jobs:
    Type: AWS::SQS::Queue
    Properties: {VisibilityTimeout: 60}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      Handler: bootstrap
      CodeUri: fn
      Events:
        New:
          Type: S3
          Properties:
            Bucket: !Ref Raw
            Events: [s3:ObjectCreated:Put]
            Filter: {S3Key: {Rules: [{Name: Prefix, Value: in/}, {Name: suffix, Value: .csv}]}}
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            BatchSize: 100
            MaximumBatchingWindowInSeconds: 2
            FunctionResponseTypes: [ReportBatchItemFailures]
            ScalingConfig: {MaximumConcurrency: 7}
            Enabled: false
        Nightly:
          Type: Schedule
          Properties: {Schedule: 'cron(0 2 * * ? *)', Input: '{"job": "x"}'}
        Often:
          Type: ScheduleV2
          Properties: {ScheduleExpression: rate(5 minutes), State: DISABLED}
)");
    const auto& events = t.config.functions.at(0).events;
    REQUIRE(events.size() == 4);
    using kind = config::event_source_config::kind;
    CHECK(events[0].name == "New");
    CHECK(events[0].type == kind::bucket);
    CHECK(events[0].bucket.bucket == "raw");  // the logical id in lower case
    CHECK(events[0].bucket.prefix == "in/");
    CHECK(events[0].bucket.suffix == ".csv");
    CHECK(events[0].bucket.events == std::vector<std::string>{"ObjectCreated:Put"});
    CHECK(events[1].type == kind::sqs);
    CHECK(events[1].sqs.queue == "Jobs");
    CHECK(events[1].sqs.batch_size == 100);
    CHECK(events[1].sqs.maximum_batching_window == std::chrono::milliseconds{2'000});
    CHECK(events[1].sqs.report_batch_item_failures);
    CHECK(events[1].sqs.maximum_concurrency == 7);
    CHECK_FALSE(events[1].enabled);
    CHECK(events[2].type == kind::schedule);
    CHECK(events[2].schedule.expression == "cron(0 2 * * ? *)");
    CHECK(events[2].schedule.input == R"({"job":"x"})");
    CHECK(events[2].enabled);
    CHECK(events[3].schedule.expression == "rate(5 minutes)");
    CHECK_FALSE(events[3].enabled);
    CHECK(t.config.stack.buckets == std::vector<std::string>{"raw"});
}

TEST_CASE("queues: attributes, dead-letter queues first, names, Ref gives the URL") {
    workspace w;
    auto t = parse(w, R"(Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 45
      RedrivePolicy: {deadLetterTargetArn: !GetAtt Dead.Arn, maxReceiveCount: 3}
  Dead:
    Type: AWS::SQS::Queue
    Properties: {QueueName: jobs-dlq, MessageRetentionPeriod: 1209600}
  Ordered:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
      ContentBasedDeduplication: true
      RedrivePolicy: '{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:111122223333:elsewhere", "maxReceiveCount": 5}'
)" + function("      Environment:\n        Variables:\n          URL: !Ref Jobs\n"
              "          ARN: !GetAtt Ordered.Arn\n          NAME: !GetAtt Dead.QueueName\n"));
    const auto& queues = t.config.stack.queues;
    REQUIRE(queues.size() == 3);
    CHECK(queues[0].name == "jobs-dlq");
    CHECK(queues[0].attributes ==
          std::map<std::string, std::string>{{"MessageRetentionPeriod", "1209600"}});
    CHECK(queues[1].name == "Jobs");
    CHECK(queues[1].url == "http://127.0.0.1:4566/000000000000/Jobs");
    CHECK(queues[1].attributes.at("VisibilityTimeout") == "45");
    CHECK(queues[1].dead_letter_queue == "jobs-dlq");
    CHECK(queues[1].max_receive_count == 3);
    CHECK(queues[2].name == "Ordered.fifo");
    CHECK(queues[2].attributes.at("FifoQueue") == "true");
    CHECK(queues[2].attributes.at("ContentBasedDeduplication") == "true");
    CHECK(queues[2].dead_letter_arn == "arn:aws:sqs:us-east-1:111122223333:elsewhere");
    CHECK(queues[2].max_receive_count == 5);
    const auto& env = t.config.functions.at(0).environment;
    CHECK(env.at("URL") == "http://127.0.0.1:4566/000000000000/Jobs");
    CHECK(env.at("ARN") == "arn:aws:sqs:us-east-1:000000000000:Ordered.fifo");
    CHECK(env.at("NAME") == "jobs-dlq");
}

TEST_CASE("parameters: Default, overrides, constraints; outputs are evaluated") {
    workspace w;
    const std::string body = R"(Parameters:
  Stage: {Type: String, Default: dev, AllowedValues: [dev, prod]}
  Size: {Type: Number, Default: 256, MinValue: 128}
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties: {BucketName: !Sub "data-${Stage}-${AWS::Region}"}
)" + function("      MemorySize: !Ref Size\n") +
                             R"(Outputs:
  Bucket: {Value: !Ref Data}
  FunctionArn: {Value: !GetAtt Fn.Arn, Description: the function}
)";
    auto t = parse(w, body);
    CHECK(t.config.stack.buckets == std::vector<std::string>{"data-dev-us-east-1"});
    CHECK(t.config.functions.at(0).memory_mb == 256);
    REQUIRE(t.config.stack.outputs.size() == 2);
    CHECK(t.config.stack.outputs[0] ==
          std::pair<std::string, std::string>{"Bucket", "data-dev-us-east-1"});
    CHECK(t.config.stack.outputs[1].second == "arn:aws:lambda:us-east-1:000000000000:function:Fn");

    auto o = options();
    o.parameter_overrides = {{"Stage", "prod"}, {"Size", "1024"}};
    o.region = "eu-west-1";
    auto prod = parse(w, body, o);
    CHECK(prod.config.stack.buckets == std::vector<std::string>{"data-prod-eu-west-1"});
    CHECK(prod.config.functions.at(0).memory_mb == 1024);
    CHECK(prod.config.region == "eu-west-1");

    o.parameter_overrides = {{"Stage", "test"}};
    CHECK(error_of(w, body, o) ==
          "template.yaml: Parameters.Stage: the value 'test' (from "
          "--parameter-overrides) is not one of AllowedValues");
    o.parameter_overrides = {{"Nope", "1"}};
    CHECK(error_of(w, body, o) ==
          "template.yaml: --parameter-overrides: Nope is not a parameter of the template");
    CHECK(error_of(w, "Parameters:\n  P: {Type: String}\nResources:\n" + function()) ==
          "template.yaml: Parameters.P: has no Default: give it with --parameter-overrides "
          "P=VALUE");
}

TEST_CASE("what lambdaport does not run is refused with one line naming the place") {
    workspace w;
    CHECK(error_of(w, "Resources:\n" + function("      Events:\n        Raw:\n          Type: S3\n"
                                                "          Properties: {Bucket: !Ref OtherBucket, "
                                                "Events: s3:ObjectCreated:*}\n")) ==
          "template.yaml: Resources.Fn.Properties.Events.Raw.Properties.Bucket: !Ref OtherBucket "
          "names no resource in the template");
    CHECK(
        error_of(w, "Resources:\n" + function("      Events:\n        Http:\n          Type: Api\n"
                                              "          Properties: {Path: /, Method: get}\n")) ==
        "template.yaml: Resources.Fn.Properties.Events.Http.Type: Api is not supported "
        "(lambdaport runs S3, SQS, Schedule and ScheduleV2 events)");
    CHECK(error_of(w, "Resources:\n" + function("      Layers: [arn:aws:lambda:x]\n")) ==
          "template.yaml: Resources.Fn.Properties.Layers: is not supported by lambdaport (README: "
          "\"One template for local and AWS\" lists what is)");
    CHECK(error_of(w, "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n") ==
          "template.yaml: Resources.T.Type: AWS::DynamoDB::Table is not supported (lambdaport runs "
          "AWS::Serverless::Function, AWS::S3::Bucket and AWS::SQS::Queue)");
    auto python = function();
    python.replace(python.find("provided.al2023"), 15, "python3.12");
    CHECK(error_of(w, "Resources:\n" + python) ==
          "template.yaml: Resources.Fn.Properties.Runtime: python3.12 is not supported (lambdaport "
          "runs custom runtimes: provided.al2023 or provided.al2)");
    CHECK(error_of(w, "Resources:\n" + function("      Timeout: !If [C, 1, 2]\n")) ==
          "template.yaml: Resources.Fn.Properties.Timeout: !If is not supported (lambdaport "
          "evaluates !Ref, !GetAtt and !Sub)");
    CHECK(error_of(w, "Resourcs:\n" + function()) ==
          "template.yaml: Resourcs: is not a template section lambdaport supports");
    CHECK_THROWS_WITH_AS(sam::parse("Resources:\n" + function(), "template.yaml", w.dir, options()),
                         "template.yaml: Transform: missing: a SAM template says Transform: "
                         "AWS::Serverless-2016-10-31",
                         config::config_error);
    CHECK(error_of(w, "Conditions:\n  C: !Equals [a, b]\nResources:\n" + function()) ==
          "template.yaml: Conditions: not supported (lambdaport evaluates no Conditions)");
    CHECK(error_of(w, "Resources:\n" + function("      Environment:\n        Variables:\n"
                                                "          AWS_REGION: x\n")) ==
          "template.yaml: Resources.Fn.Properties.Environment.Variables.AWS_REGION: is reserved: "
          "Lambda sets it");
}

TEST_CASE("queues and SQS events need an SQS endpoint; buckets need storage") {
    workspace w;
    auto o = options();
    o.sqs_endpoint.clear();
    CHECK(error_of(w, "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n" + function(), o) ==
          "template.yaml: Resources.Q: an AWS::SQS::Queue needs an SQS endpoint: set "
          "AWS_ENDPOINT_URL_SQS (lambdaport creates the template's queues there)");
    CHECK(error_of(w,
                   "Resources:\n" + function("      Events:\n        Q:\n          Type: SQS\n"
                                             "          Properties: {Queue: "
                                             "arn:aws:sqs:us-east-1:123456789012:q}\n"),
                   o) ==
          "template.yaml: Resources.Fn.Properties.Events.Q.Properties: an SQS event needs an SQS "
          "endpoint: set AWS_ENDPOINT_URL_SQS (lambdaport creates the template's queues there and "
          "polls them)");
    o = options();
    o.has_storage = false;
    CHECK(error_of(w, "Resources:\n  Data:\n    Type: AWS::S3::Bucket\n" + function(), o) ==
          "template.yaml: Resources.Data: an AWS::S3::Bucket needs a place: give --storage DIR "
          "(local disk), --storage http://HOST:PORT (an S3-compatible store) or --storage s3");
}

TEST_CASE("--parameter-overrides words") {
    std::map<std::string, std::string> out;
    sam::parse_parameter_overrides("A=1 B=x=y", out);
    sam::parse_parameter_overrides("C=", out);
    CHECK(out == std::map<std::string, std::string>{{"A", "1"}, {"B", "x=y"}, {"C", ""}});
    CHECK_THROWS_AS(sam::parse_parameter_overrides("nothing", out), config::config_error);
}
