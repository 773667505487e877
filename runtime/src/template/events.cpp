// A function's Events: S3 (a bucket of the template), SQS (a queue's ARN), Schedule and
// ScheduleV2, into the engine's event sources.
#include <nlohmann/json.hpp>

#include "sources/schedule_expression.hpp"
#include "template/function.hpp"
#include "util/json.hpp"
#include "util/json_dump.hpp"
#include "util/text.hpp"

namespace lambdaport::runtime::sam::detail {
namespace {

using config::event_source_config;
using std::chrono::milliseconds;

const char* unsupported_property = "is not an event property lambdaport supports";

// Bucket: SAM takes only `!Ref` of a bucket the template declares.
std::string event_bucket(stack& s, const node& raw, const std::string& path) {
    if (!raw.is_intrinsic() || raw.text != "Ref" || !raw.items.at(0).is_scalar()) {
        s.fail(path,
               "must be !Ref of an AWS::S3::Bucket of this template (SAM's S3 events take "
               "only the template's own buckets)");
    }
    const auto& id = raw.items[0].text;
    const resource* bucket = s.find(id);
    if (!bucket) {
        s.fail(path, spelled(raw) + " " + id + " names no resource in the template");
    }
    if (bucket->type != bucket_type) {
        s.fail(path,
               spelled(raw) + " " + id + " names an " + bucket->type + ", not an AWS::S3::Bucket");
    }
    return s.name_of(*bucket);
}

void s3_event(stack& s, const node& props, const std::string& path, event_source_config& out) {
    s.only_keys(props, path, {"Bucket", "Events", "Filter"}, unsupported_property);
    out.type = event_source_config::kind::bucket;
    auto& b = out.bucket;
    const node* bucket = props.find("Bucket");
    if (!bucket) {
        s.fail(path + ".Bucket", "missing (!Ref of an AWS::S3::Bucket of this template)");
    }
    b.bucket = event_bucket(s, *bucket, path + ".Bucket");
    const node* events = props.find("Events");
    if (!events) {
        s.fail(path + ".Events", "missing (s3:ObjectCreated:*)");
    }
    b.events.clear();
    auto names = s.strings(*events, path + ".Events");
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto& e = names[i];
        if (e != "s3:ObjectCreated:*" && e != "s3:ObjectCreated:Put" &&
            e != "s3:ObjectCreated:CompleteMultipartUpload") {
            s.fail(path + ".Events" + (events->is_sequence() ? "[" + std::to_string(i) + "]" : ""),
                   e + " is not supported (s3:ObjectCreated:*, s3:ObjectCreated:Put or "
                       "s3:ObjectCreated:CompleteMultipartUpload)");
        }
        b.events.push_back(e.substr(3));
    }
    if (b.events.empty()) {
        s.fail(path + ".Events", "must name at least one event type");
    }
    const node* filter = props.find("Filter");
    if (!filter) {
        return;
    }
    const auto fpath = path + ".Filter";
    s.only_keys(s.mapping(*filter, fpath), fpath, {"S3Key"}, unsupported_property);
    const node* key = filter->find("S3Key");
    if (!key) {
        return;
    }
    const auto kpath = fpath + ".S3Key";
    s.only_keys(s.mapping(*key, kpath), kpath, {"Rules"}, unsupported_property);
    const node* rules_raw = key->find("Rules");
    if (!rules_raw) {
        s.fail(kpath + ".Rules", "missing (a list of {Name: prefix|suffix, Value: ...})");
    }
    auto rules = s.value(*rules_raw, kpath + ".Rules");
    if (!rules.is_sequence()) {
        s.fail(kpath + ".Rules", "must be a list of {Name: prefix|suffix, Value: ...}");
    }
    bool prefix = false;
    bool suffix = false;
    for (std::size_t i = 0; i < rules.items.size(); ++i) {
        const auto rpath = kpath + ".Rules[" + std::to_string(i) + "]";
        const auto& rule = s.mapping(rules.items[i], rpath);
        s.only_keys(rule, rpath, {"Name", "Value"}, unsupported_property);
        const node* name = rule.find("Name");
        const node* value = rule.find("Value");
        if (!name || !value || !name->is_scalar() || !value->is_scalar()) {
            s.fail(rpath, "a rule is {Name: prefix|suffix, Value: TEXT}");
        }
        // S3 takes the rule's name in any case.
        const bool is_prefix = util::iequals(name->text, "prefix");
        if (!is_prefix && !util::iequals(name->text, "suffix")) {
            s.fail(rpath + ".Name", name->text + " is not a rule name (prefix or suffix)");
        }
        const std::string which = is_prefix ? "prefix" : "suffix";
        bool& seen = is_prefix ? prefix : suffix;
        if (seen) {
            s.fail(rpath + ".Name", "a second " + which + " rule (S3 takes one of each)");
        }
        seen = true;
        (is_prefix ? b.prefix : b.suffix) = value->text;
    }
}

void sqs_event(stack& s, const node& props, const std::string& path, event_source_config& out) {
    s.only_keys(props, path,
                {"Queue", "BatchSize", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes",
                 "ScalingConfig", "Enabled"},
                unsupported_property);
    if (s.options().sqs_endpoint.empty()) {
        s.fail(path,
               "an SQS event needs an SQS endpoint: set AWS_ENDPOINT_URL_SQS (lambdaport "
               "creates the template's queues there and polls them)");
    }
    out.type = event_source_config::kind::sqs;
    auto& q = out.sqs;
    const node* queue = props.find("Queue");
    if (!queue) {
        s.fail(path + ".Queue", "missing (the queue's ARN, e.g. !GetAtt Jobs.Arn)");
    }
    auto arn = s.string(*queue, path + ".Queue");
    if (const resource* r = s.queue_with_arn(arn)) {
        q.queue = s.name_of(*r);
    } else if (arn.starts_with("arn:aws:sqs:")) {
        q.queue = arn;
    } else {
        s.fail(path + ".Queue", "'" + arn + "' is not a queue's ARN (e.g. !GetAtt Jobs.Arn)");
    }
    if (const node* n = props.find("BatchSize")) {
        q.batch_size = s.integer(*n, path + ".BatchSize", 1, 10'000);
    }
    if (const node* n = props.find("MaximumBatchingWindowInSeconds")) {
        q.maximum_batching_window =
            milliseconds{s.integer(*n, path + ".MaximumBatchingWindowInSeconds", 0, 300) * 1000};
    }
    if (q.batch_size > 10 && q.maximum_batching_window.count() == 0) {
        s.fail(path + ".MaximumBatchingWindowInSeconds",
               "must be at least 1 when BatchSize is more than 10 (Lambda's rule)");
    }
    if (const node* n = props.find("FunctionResponseTypes")) {
        auto v = s.value(*n, path + ".FunctionResponseTypes");
        if (!v.is_sequence()) {
            s.fail(path + ".FunctionResponseTypes", "must be a list ([ReportBatchItemFailures])");
        }
        for (std::size_t i = 0; i < v.items.size(); ++i) {
            if (v.items[i].text != "ReportBatchItemFailures") {
                s.fail(path + ".FunctionResponseTypes[" + std::to_string(i) + "]",
                       v.items[i].text + " is not a response type (ReportBatchItemFailures)");
            }
            q.report_batch_item_failures = true;
        }
    }
    if (const node* n = props.find("ScalingConfig")) {
        const auto spath = path + ".ScalingConfig";
        s.only_keys(s.mapping(*n, spath), spath, {"MaximumConcurrency"}, unsupported_property);
        if (const node* m = n->find("MaximumConcurrency")) {
            q.maximum_concurrency = s.integer(*m, spath + ".MaximumConcurrency", 2, 1000);
        }
    }
    if (const node* n = props.find("Enabled")) {
        out.enabled = s.boolean(*n, path + ".Enabled");
    }
}

void schedule_event(stack& s, const node& props, const std::string& path, bool v2,
                    event_source_config& out) {
    const char* expression_key = v2 ? "ScheduleExpression" : "Schedule";
    if (v2) {
        s.only_keys(props, path,
                    {"ScheduleExpression", "ScheduleExpressionTimezone", "Input", "State", "Name",
                     "Description"},
                    unsupported_property);
    } else {
        s.only_keys(props, path, {"Schedule", "Input", "Enabled", "State", "Name", "Description"},
                    unsupported_property);
    }
    out.type = event_source_config::kind::schedule;
    const node* expression = props.find(expression_key);
    if (!expression) {
        s.fail(path + "." + expression_key, "missing (a rate(...) or cron(...) expression)");
    }
    out.schedule.expression = s.string(*expression, path + "." + expression_key);
    try {
        sources::schedule_expression check(out.schedule.expression);
    } catch (const sources::schedule_expression_error& e) {
        s.fail(path + "." + expression_key, e.what());
    }
    if (const node* n = props.find("ScheduleExpressionTimezone")) {
        auto zone = s.string(*n, path + ".ScheduleExpressionTimezone");
        if (zone != "UTC" && zone != "Etc/UTC") {
            s.fail(path + ".ScheduleExpressionTimezone",
                   zone + " is not supported (lambdaport's schedules run in UTC)");
        }
    }
    if (const node* n = props.find("Input")) {
        // EventBridge's Input is JSON text.
        auto text = s.string(*n, path + ".Input");
        util::json_problem problem;
        auto parsed = util::parse_json(text, {}, &problem);
        if (!parsed) {
            s.fail(path + ".Input", "is not valid JSON text: " + problem.message());
        }
        out.schedule.input = util::dump_json(*parsed);
    }
    if (const node* n = props.find("Enabled")) {
        out.enabled = s.boolean(*n, path + ".Enabled");
    }
    if (const node* n = props.find("State")) {
        auto state = s.string(*n, path + ".State");
        if (state != "ENABLED" && state != "DISABLED") {
            s.fail(path + ".State", "must be ENABLED or DISABLED");
        }
        out.enabled = out.enabled && state == "ENABLED";
    }
    for (const char* ignored : {"Name", "Description"}) {
        if (const node* n = props.find(ignored)) {
            s.string(*n, path + "." + ignored);
        }
    }
}

}  // namespace

void map_events(stack& s, const resource& r, config::function_config& out) {
    const node* events = r.property("Events");
    if (!events || events->is_null()) {
        return;
    }
    const auto base = r.property_path("Events");
    for (const auto& [name, raw] : s.mapping(*events, base).entries) {
        const auto path = base + "." + name;
        const auto& ev = s.mapping(raw, path);
        s.only_keys(ev, path, {"Type", "Properties"},
                    "is not an event attribute (Type, Properties)");
        const node* type_node = ev.find("Type");
        if (!type_node || !type_node->is_scalar()) {
            s.fail(path + ".Type", "missing (S3, SQS, Schedule or ScheduleV2)");
        }
        const auto& type = type_node->text;
        if (type != "S3" && type != "SQS" && type != "Schedule" && type != "ScheduleV2") {
            s.fail(path + ".Type",
                   type +
                       " is not supported (lambdaport runs S3, SQS, Schedule and ScheduleV2 "
                       "events)");
        }
        if (!util::is_name(name)) {
            s.fail(path, "an event's name is 1-64 letters and digits");
        }
        const node* props = ev.find("Properties");
        if (!props || props->is_null()) {
            s.fail(path + ".Properties", "missing");
        }
        const auto ppath = path + ".Properties";
        s.mapping(*props, ppath);
        event_source_config e;
        e.name = name;
        if (type == "S3") {
            s3_event(s, *props, ppath, e);
        } else if (type == "SQS") {
            sqs_event(s, *props, ppath, e);
        } else {
            schedule_event(s, *props, ppath, type == "ScheduleV2", e);
        }
        out.events.push_back(std::move(e));
    }
}

}  // namespace lambdaport::runtime::sam::detail
