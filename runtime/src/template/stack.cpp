#include "template/stack.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <regex>

#include "config/config.hpp"
#include "util/text.hpp"

namespace lambdaport::runtime::sam::detail {
namespace {

bool is_logical_id(std::string_view id) {
    return !id.empty() &&
           std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}

std::string lower(std::string text) {
    for (auto& c : text) {
        c = char(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

// SQS's rule: 1-80 letters, digits, '-' and '_', with ".fifo" at the end of FIFO queues only.
bool is_queue_name(std::string_view name, bool fifo) {
    if (name.ends_with(".fifo") != fifo || name.size() > 80) {
        return false;
    }
    if (fifo) {
        name.remove_suffix(5);
    }
    return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '-' || c == '_';
    });
}

}  // namespace

stack::stack(const node& document, const std::string& source, const std::filesystem::path& base_dir,
             const load_options& options)
    : source_(source), base_dir_(base_dir), options_(options) {
    read_parameters(document.find("Parameters"));
    read_resources(document.find("Resources"));
}

void stack::fail(const std::string& path, const std::string& reason) const {
    throw config::config_error(source_ + ": " + path + ": " + reason);
}

// Parameters: String and Number, with Default, AllowedValues and the length, value and pattern
// constraints CloudFormation checks; --parameter-overrides win over Default.
void stack::read_parameters(const node* parameters) {
    for (const auto& [name, override_value] : options_.parameter_overrides) {
        if (!parameters || !parameters->find(name)) {
            fail("--parameter-overrides", name + " is not a parameter of the template");
        }
    }
    if (!parameters) {
        return;
    }
    const auto& all = mapping(*parameters, "Parameters");
    for (const auto& [name, raw] : all.entries) {
        const std::string path = "Parameters." + name;
        if (!is_logical_id(name)) {
            fail(path, "a parameter's name is letters and digits only");
        }
        const auto& p = mapping(raw, path);
        only_keys(
            p, path,
            {"Type", "Default", "Description", "AllowedValues", "AllowedPattern",
             "ConstraintDescription", "MinLength", "MaxLength", "MinValue", "MaxValue", "NoEcho"},
            "is not a parameter property lambdaport supports");
        const node* type_node = p.find("Type");
        if (!type_node || !type_node->is_scalar()) {
            fail(path + ".Type", "missing (String or Number)");
        }
        const std::string type = type_node->text;
        if (type != "String" && type != "Number") {
            fail(path + ".Type", type + " is not supported (String or Number)");
        }
        std::string value;
        std::string from;
        if (auto o = options_.parameter_overrides.find(name);
            o != options_.parameter_overrides.end()) {
            value = o->second;
            from = " (from --parameter-overrides)";
        } else if (const node* d = p.find("Default")) {
            if (!d->is_scalar()) {
                fail(path + ".Default", "must be a string or a number");
            }
            value = d->text;
        } else {
            fail(path, "has no Default: give it with --parameter-overrides " + name + "=VALUE");
        }
        auto refuse = [&](const std::string& why) {
            fail(path, "the value '" + value + "'" + from + " " + why);
        };
        if (type == "Number" && !util::to_number(value)) {
            refuse("is not a number");
        }
        if (const node* allowed = p.find("AllowedValues")) {
            if (!allowed->is_sequence()) {
                fail(path + ".AllowedValues", "must be a list");
            }
            bool found = std::any_of(allowed->items.begin(), allowed->items.end(),
                                     [&](const node& a) { return a.text == value; });
            if (!found) {
                refuse("is not one of AllowedValues");
            }
        }
        if (const node* n = p.find("MinLength")) {
            if (value.size() < integer(*n, path + ".MinLength", 0, 1u << 20)) {
                refuse("is shorter than MinLength");
            }
        }
        if (const node* n = p.find("MaxLength")) {
            if (value.size() > integer(*n, path + ".MaxLength", 0, 1u << 20)) {
                refuse("is longer than MaxLength");
            }
        }
        for (std::string_view bound : {"MinValue", "MaxValue"}) {
            if (const node* n = p.find(bound)) {
                auto limit = n->is_scalar() ? util::to_number(n->text) : std::nullopt;
                if (!limit || type != "Number") {
                    fail(path + "." + std::string(bound),
                         "must be a number, on a Number parameter");
                }
                const bool min = bound == "MinValue";
                const double v = *util::to_number(value);
                if (min ? v < *limit : v > *limit) {
                    refuse(min ? "is below MinValue" : "is above MaxValue");
                }
            }
        }
        if (const node* n = p.find("AllowedPattern")) {
            if (!n->is_scalar()) {
                fail(path + ".AllowedPattern", "must be a regular expression");
            }
            try {
                if (!std::regex_match(value, std::regex(n->text))) {
                    refuse("does not match AllowedPattern");
                }
            } catch (const std::regex_error&) {
                fail(path + ".AllowedPattern", "is not a regular expression lambdaport can read");
            }
        }
        parameters_[name] = value;
    }
}

void stack::read_resources(const node* resources) {
    if (!resources) {
        fail("Resources", "missing (a template declares at least one resource)");
    }
    const auto& all = mapping(*resources, "Resources");
    if (all.entries.empty()) {
        fail("Resources", "empty (a template declares at least one resource)");
    }
    for (const auto& [id, raw] : all.entries) {
        const std::string path = "Resources." + id;
        if (!is_logical_id(id)) {
            fail(path, "a logical id is letters and digits only");
        }
        if (parameters_.contains(id)) {
            fail(path, "is also the name of a parameter");
        }
        const auto& r = mapping(raw, path);
        if (r.find("Condition")) {
            fail(path + ".Condition", "not supported (lambdaport evaluates no Conditions)");
        }
        only_keys(r, path,
                  {"Type", "Properties", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy",
                   "Metadata"},
                  "is not a resource attribute lambdaport supports");
        const node* type = r.find("Type");
        if (!type || !type->is_scalar()) {
            fail(path + ".Type", "missing");
        }
        if (type->text != function_type && type->text != bucket_type && type->text != queue_type) {
            fail(path + ".Type",
                 type->text +
                     " is not supported (lambdaport runs AWS::Serverless::Function, "
                     "AWS::S3::Bucket and AWS::SQS::Queue)");
        }
        const node* properties = r.find("Properties");
        if (properties && !properties->is_null()) {
            mapping(*properties, path + ".Properties");
        } else {
            properties = nullptr;
        }
        resources_.push_back({id, type->text, properties});
    }
    // DependsOn orders a deployment; locally only the names must be right.
    for (const auto& [id, raw] : all.entries) {
        if (const node* depends = raw.find("DependsOn")) {
            for (const auto& name : strings(*depends, "Resources." + id + ".DependsOn")) {
                if (!find(name)) {
                    fail("Resources." + id + ".DependsOn",
                         name + " names no resource in the template");
                }
            }
        }
    }
}

const resource* stack::find(std::string_view id) const {
    for (const auto& r : resources_) {
        if (r.id == id) {
            return &r;
        }
    }
    return nullptr;
}

node stack::value(const node& raw, const std::string& path) {
    return evaluate(raw, *this, source_, path);
}

std::string stack::string(const node& raw, const std::string& path) {
    auto v = value(raw, path);
    if (!v.is_scalar()) {
        fail(path, "must be a string");
    }
    return v.text;
}

unsigned stack::integer(const node& raw, const std::string& path, unsigned min, unsigned max) {
    auto v = value(raw, path);
    const auto n = v.is_scalar() ? util::to_unsigned(v.text) : std::nullopt;
    if (!n || *n < min || *n > max) {
        fail(path,
             "must be an integer between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return unsigned(*n);
}

bool stack::boolean(const node& raw, const std::string& path) {
    auto v = value(raw, path);
    auto text = v.is_scalar() ? lower(v.text) : std::string();
    if (text != "true" && text != "false") {
        fail(path, "must be true or false");
    }
    return text == "true";
}

std::vector<std::string> stack::strings(const node& raw, const std::string& path) {
    auto v = value(raw, path);
    if (v.is_scalar()) {
        return {v.text};
    }
    if (!v.is_sequence()) {
        fail(path, "must be a string or a list of strings");
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (!v.items[i].is_scalar()) {
            fail(path + "[" + std::to_string(i) + "]", "must be a string");
        }
        out.push_back(v.items[i].text);
    }
    return out;
}

const node& stack::mapping(const node& raw, const std::string& path) const {
    if (!raw.is_mapping()) {
        fail(path, "must be a mapping");
    }
    return raw;
}

void stack::only_keys(const node& mapping, const std::string& path,
                      std::initializer_list<std::string_view> allowed,
                      const std::string& why) const {
    for (const auto& [key, value] : mapping.entries) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            fail(path + "." + key, why);
        }
    }
}

std::string stack::name_of(const resource& r) {
    if (auto it = names_.find(r.id); it != names_.end()) {
        return it->second;
    }
    if (!naming_.insert(r.id).second) {
        fail(r.path(), "its name depends on itself");
    }
    auto name = compute_name(r);
    naming_.erase(r.id);
    names_[r.id] = name;
    return name;
}

// The local naming rules: the name the template gives, else one made from the logical id.
std::string stack::compute_name(const resource& r) {
    if (r.type == function_type) {
        if (const node* n = r.property("FunctionName")) {
            auto name = string(*n, r.property_path("FunctionName"));
            if (!util::is_name(name)) {
                fail(r.property_path("FunctionName"),
                     "'" + name + "' is not a function name (1-64 letters, digits, '-' or '_')");
            }
            return name;
        }
        if (!util::is_name(r.id)) {
            fail(r.path(),
                 "a logical id longer than 64 characters is no function name: give "
                 "FunctionName");
        }
        return r.id;
    }
    if (r.type == bucket_type) {
        if (const node* n = r.property("BucketName")) {
            auto name = string(*n, r.property_path("BucketName"));
            if (!util::is_bucket_name(name)) {
                fail(r.property_path("BucketName"), "'" + name +
                                                        "' is not a valid bucket name (3-63 "
                                                        "lower-case letters, digits, '.' and '-')");
            }
            return name;
        }
        auto name = lower(r.id);
        if (!util::is_bucket_name(name)) {
            fail(r.path(), "the local bucket name '" + name +
                               "' (the logical id in lower case) is not a valid bucket name: give "
                               "BucketName");
        }
        return name;
    }
    bool fifo = false;
    if (const node* f = r.property("FifoQueue")) {
        fifo = boolean(*f, r.property_path("FifoQueue"));
    }
    if (const node* n = r.property("QueueName")) {
        auto name = string(*n, r.property_path("QueueName"));
        if (!is_queue_name(name, fifo)) {
            fail(r.property_path("QueueName"),
                 "'" + name + "' is not a valid " + (fifo ? "FIFO " : "") +
                     "queue name (1-80 letters, digits, '-' and '_'" +
                     (fifo ? ", ending in .fifo)" : ", not ending in .fifo)"));
        }
        return name;
    }
    auto name = r.id + (fifo ? ".fifo" : "");
    if (!is_queue_name(name, fifo)) {
        fail(r.path(), "the local queue name '" + name +
                           "' (the logical id) is longer than 80 characters: give QueueName");
    }
    return name;
}

std::string stack::arn_of(const resource& r) {
    const auto& o = options_;
    if (r.type == function_type) {
        return "arn:aws:lambda:" + o.region + ":" + o.account_id + ":function:" + name_of(r);
    }
    if (r.type == bucket_type) {
        return "arn:aws:s3:::" + name_of(r);
    }
    return "arn:aws:sqs:" + o.region + ":" + o.account_id + ":" + name_of(r);
}

// SQS's URL form, <endpoint>/<account>/<name>, on the engine's SQS endpoint.
std::string stack::queue_url_of(const resource& r) {
    if (options_.sqs_endpoint.empty()) {
        fail(r.path(),
             "an AWS::SQS::Queue needs an SQS endpoint: set AWS_ENDPOINT_URL_SQS "
             "(lambdaport creates the template's queues there)");
    }
    std::string endpoint = options_.sqs_endpoint;
    while (endpoint.ends_with('/')) {
        endpoint.pop_back();
    }
    return endpoint + "/" + options_.account_id + "/" + name_of(r);
}

const resource* stack::queue_with_arn(const std::string& arn) {
    for (const auto& r : resources_) {
        if (r.type == queue_type && arn_of(r) == arn) {
            return &r;
        }
    }
    return nullptr;
}

std::string stack::ref(const std::string& name, const std::string& spelling) {
    if (name == "AWS::StackName") {
        return options_.stack_name;
    }
    if (name == "AWS::Region") {
        return options_.region;
    }
    if (name == "AWS::AccountId") {
        return options_.account_id;
    }
    if (name == "AWS::Partition") {
        return "aws";
    }
    if (name == "AWS::URLSuffix") {
        return "amazonaws.com";
    }
    if (name.starts_with("AWS::")) {
        throw reason_error(spelling + ": " + name +
                           " is not supported (AWS::StackName, AWS::Region, AWS::AccountId, "
                           "AWS::Partition and AWS::URLSuffix are)");
    }
    if (auto p = parameters_.find(name); p != parameters_.end()) {
        return p->second;
    }
    const resource* r = find(name);
    if (!r) {
        throw reason_error(spelling + " names no parameter or resource in the template");
    }
    return r->type == queue_type ? queue_url_of(*r) : name_of(*r);
}

std::string stack::get_att(const std::string& name, const std::string& attribute,
                           const std::string& spelling) {
    const resource* r = find(name);
    if (!r) {
        throw reason_error(spelling + " names no resource in the template");
    }
    if (attribute == "Arn") {
        return arn_of(*r);
    }
    if (r->type == queue_type && attribute == "QueueName") {
        return name_of(*r);
    }
    if (r->type == queue_type && attribute == "QueueUrl") {
        return queue_url_of(*r);
    }
    throw reason_error(spelling + ": " + r->type + " " + name + " has no attribute " + attribute +
                       " that lambdaport supports (" +
                       (r->type == queue_type ? "Arn, QueueName, QueueUrl" : "Arn") + ")");
}

}  // namespace lambdaport::runtime::sam::detail
