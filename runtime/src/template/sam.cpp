#include "template/sam.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "template/function.hpp"
#include "template/stack.hpp"
#include "util/json.hpp"
#include "util/json_dump.hpp"

namespace lambdaport::runtime::sam {
namespace {

using detail::resource;
using detail::stack;

constexpr std::string_view transform_name = "AWS::Serverless-2016-10-31";

// The template's sections, before anything in them is read.
void check_sections(const node& doc, const std::string& source) {
    auto fail = [&](const std::string& key, const std::string& reason) {
        throw config::config_error(source + ": " + key + ": " + reason);
    };
    static constexpr std::string_view known[] = {"AWSTemplateFormatVersion",
                                                 "Transform",
                                                 "Description",
                                                 "Metadata",
                                                 "Parameters",
                                                 "Globals",
                                                 "Resources",
                                                 "Outputs"};
    for (const auto& [key, value] : doc.entries) {
        if (key == "Conditions" || key == "Mappings" || key == "Rules") {
            fail(key, "not supported (lambdaport evaluates no " + key + ")");
        }
        if (std::find(std::begin(known), std::end(known), key) == std::end(known)) {
            fail(key, "is not a template section lambdaport supports");
        }
    }
    if (const node* v = doc.find("AWSTemplateFormatVersion")) {
        if (!v->is_scalar() || v->text != "2010-09-09") {
            fail("AWSTemplateFormatVersion", "must be 2010-09-09");
        }
    }
    const node* t = doc.find("Transform");
    std::vector<const node*> transforms;
    if (t && t->is_sequence()) {
        for (const auto& item : t->items) {
            transforms.push_back(&item);
        }
    } else if (t) {
        transforms.push_back(t);
    }
    for (const node* item : transforms) {
        if (!item->is_scalar() || item->text != transform_name) {
            fail("Transform", (item->is_scalar() ? item->text : std::string("this value")) +
                                  " is not supported (only AWS::Serverless-2016-10-31)");
        }
    }
    if (transforms.empty()) {
        fail("Transform", "missing: a SAM template says Transform: AWS::Serverless-2016-10-31");
    }
}

std::string bucket_of(stack& s, const resource& r) {
    if (r.properties) {
        s.only_keys(*r.properties, r.path() + ".Properties",
                    {"BucketName", "Tags", "BucketEncryption", "PublicAccessBlockConfiguration",
                     "OwnershipControls"},
                    "is not supported by lambdaport (README: \"One template for local and AWS\" "
                    "lists what is)");
        for (const auto& [key, raw] : r.properties->entries) {
            s.value(raw, r.property_path(key));  // no meaning locally; intrinsics must be right
        }
    }
    if (!s.options().has_storage) {
        s.fail(r.path(),
               "an AWS::S3::Bucket needs a place: give --storage DIR (local disk), "
               "--storage http://HOST:PORT (an S3-compatible store) or --storage s3");
    }
    return s.name_of(r);
}

// RedrivePolicy: {deadLetterTargetArn, maxReceiveCount}, as a mapping or as JSON text.
void redrive_policy(stack& s, const resource& r, const node& raw, config::queue_config& q) {
    const auto path = r.property_path("RedrivePolicy");
    auto v = s.value(raw, path);
    if (v.is_scalar()) {
        const auto doc = util::parse_json(v.text).value_or(nullptr);
        if (!doc.is_object()) {
            s.fail(path, "must be a mapping or JSON text of an object");
        }
        node m;
        m.type = node::kind::mapping;
        for (const auto& [key, value] : doc.items()) {
            m.entries.emplace_back(
                key, node::scalar(value.is_string() ? value.get<std::string>() : util::dump_json(value)));
        }
        v = std::move(m);
    }
    s.only_keys(s.mapping(v, path), path, {"deadLetterTargetArn", "maxReceiveCount"},
                "is not a RedrivePolicy key (deadLetterTargetArn, maxReceiveCount)");
    const node* arn = v.find("deadLetterTargetArn");
    const node* count = v.find("maxReceiveCount");
    if (!arn || !count) {
        s.fail(path,
               "needs deadLetterTargetArn (e.g. !GetAtt DeadLetters.Arn) and maxReceiveCount");
    }
    auto target = s.string(*arn, path + ".deadLetterTargetArn");
    q.max_receive_count = s.integer(*count, path + ".maxReceiveCount", 1, 1000);
    if (const resource* dlq = s.queue_with_arn(target)) {
        if (dlq->id == r.id) {
            s.fail(path + ".deadLetterTargetArn", "a queue cannot be its own dead-letter queue");
        }
        q.dead_letter_queue = s.name_of(*dlq);
    } else if (target.starts_with("arn:aws:sqs:")) {
        q.dead_letter_arn = target;
    } else {
        s.fail(path + ".deadLetterTargetArn", "'" + target + "' is not a queue's ARN");
    }
}

config::queue_config queue_of(stack& s, const resource& r) {
    config::queue_config q;
    // Attributes SQS takes as they are, with their ranges.
    struct attribute {
        const char* key;
        unsigned min;
        unsigned max;
    };
    static constexpr attribute numbers[] = {
        {"VisibilityTimeout", 0, 43'200},          {"DelaySeconds", 0, 900},
        {"MessageRetentionPeriod", 60, 1'209'600}, {"MaximumMessageSize", 1024, 1'048'576},
        {"ReceiveMessageWaitTimeSeconds", 0, 20},
    };
    if (r.properties) {
        s.only_keys(*r.properties, r.path() + ".Properties",
                    {"QueueName", "VisibilityTimeout", "FifoQueue", "ContentBasedDeduplication",
                     "RedrivePolicy", "DelaySeconds", "MessageRetentionPeriod",
                     "MaximumMessageSize", "ReceiveMessageWaitTimeSeconds", "Tags"},
                    "is not supported by lambdaport (README: \"One template for local and AWS\" "
                    "lists what is)");
    }
    q.url = s.queue_url_of(r);  // refuses the queue when the engine has no SQS endpoint
    q.name = s.name_of(r);
    for (const auto& a : numbers) {
        if (const node* n = r.property(a.key)) {
            q.attributes[a.key] =
                std::to_string(s.integer(*n, r.property_path(a.key), a.min, a.max));
        }
    }
    bool fifo = false;
    if (const node* n = r.property("FifoQueue")) {
        fifo = s.boolean(*n, r.property_path("FifoQueue"));
        if (fifo) {
            q.attributes["FifoQueue"] = "true";
        }
    }
    if (const node* n = r.property("ContentBasedDeduplication")) {
        bool on = s.boolean(*n, r.property_path("ContentBasedDeduplication"));
        if (!fifo) {
            s.fail(r.property_path("ContentBasedDeduplication"), "applies to FIFO queues only");
        }
        q.attributes["ContentBasedDeduplication"] = on ? "true" : "false";
    }
    if (const node* n = r.property("RedrivePolicy")) {
        redrive_policy(s, r, *n, q);
    }
    if (const node* n = r.property("Tags")) {
        s.value(*n, r.property_path("Tags"));
    }
    return q;
}

// Dead-letter queues first, so that each queue's RedrivePolicy finds its target.
std::vector<config::queue_config> in_creation_order(const stack& s,
                                                    std::vector<config::queue_config> queues) {
    std::vector<config::queue_config> out;
    std::set<std::string> made;
    while (!queues.empty()) {
        auto ready = std::find_if(queues.begin(), queues.end(), [&](const auto& q) {
            return q.dead_letter_queue.empty() || made.contains(q.dead_letter_queue);
        });
        if (ready == queues.end()) {
            s.fail("Resources", "the queues' RedrivePolicy targets go round in a circle (" +
                                    queues.front().name + " ...)");
        }
        made.insert(ready->name);
        out.push_back(std::move(*ready));
        queues.erase(ready);
    }
    return out;
}

template <typename T, typename Name>
void check_unique(const stack& s, const std::vector<T>& items, Name name, const char* what) {
    std::set<std::string> seen;
    for (const auto& item : items) {
        if (!seen.insert(name(item)).second) {
            s.fail("Resources",
                   "two resources give the " + std::string(what) + " name '" + name(item) + "'");
        }
    }
}

}  // namespace

parsed_template parse(std::string_view text, const std::string& source,
                      const std::filesystem::path& base_dir, const load_options& options) {
    node doc = parse_yaml(text, source);
    if (!doc.is_mapping()) {
        throw config::config_error(source + ": the document must be a mapping (a SAM template)");
    }
    check_sections(doc, source);
    stack s(doc, source, base_dir, options);
    parsed_template out;
    out.config.region = options.region;
    out.config.account_id = options.account_id;
    out.config.stack.template_file = source;
    auto globals = detail::read_globals(s, doc.find("Globals"));
    std::vector<config::queue_config> queues;
    for (const auto& r : s.resources()) {
        if (r.type == detail::function_type) {
            out.config.functions.push_back(detail::map_function(s, r, globals, out.packages));
        } else if (r.type == detail::bucket_type) {
            out.config.stack.buckets.push_back(bucket_of(s, r));
        } else {
            queues.push_back(queue_of(s, r));
        }
    }
    check_unique(
        s, out.config.functions, [](const auto& f) { return f.name; }, "function");
    check_unique(
        s, out.config.stack.buckets, [](const auto& b) { return b; }, "bucket");
    check_unique(
        s, queues, [](const auto& q) { return q.name; }, "queue");
    out.config.stack.queues = in_creation_order(s, std::move(queues));
    if (const node* outputs = doc.find("Outputs")) {
        for (const auto& [name, raw] : s.mapping(*outputs, "Outputs").entries) {
            const auto path = "Outputs." + name;
            const auto& o = s.mapping(raw, path);
            s.only_keys(o, path, {"Value", "Description", "Export"},
                        "is not an output property (Value, Description, Export)");
            const node* value = o.find("Value");
            if (!value) {
                s.fail(path + ".Value", "missing");
            }
            if (const node* e = o.find("Export")) {
                s.value(*e, path + ".Export");  // cross-stack exports mean nothing locally
            }
            out.config.stack.outputs.emplace_back(name, s.string(*value, path + ".Value"));
        }
    }
    return out;
}

config::engine_config load_file(const std::filesystem::path& file, const load_options& options) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw config::config_error(file.string() + ": cannot be read: " + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto base = std::filesystem::absolute(file).parent_path();
    auto parsed = parse(text.str(), file.string(), base, options);
    for (const auto& p : parsed.packages) {
        try {
            unpack_zip(p.zip, p.folder);
        } catch (const reason_error& e) {
            throw config::config_error(file.string() + ": " + p.where + ": " + e.what());
        }
    }
    return std::move(parsed.config);
}

void parse_parameter_overrides(std::string_view text, std::map<std::string, std::string>& out) {
    std::istringstream words{std::string(text)};
    std::string word;
    bool any = false;
    while (words >> word) {
        any = true;
        auto eq = word.find('=');
        if (eq == std::string::npos || eq == 0) {
            throw config::config_error("--parameter-overrides: must be Key=Value, got '" + word +
                                       "'");
        }
        out[word.substr(0, eq)] = word.substr(eq + 1);
    }
    if (!any) {
        throw config::config_error("--parameter-overrides: missing Key=Value");
    }
}

}  // namespace lambdaport::runtime::sam
