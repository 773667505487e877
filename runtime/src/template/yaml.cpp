#include "template/yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

#include "config/config.hpp"

namespace lambdaport::runtime::sam {
namespace {

using config::config_error;

std::string child(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}

// A local tag (`!Ref`, `!GetAtt`, `!If`, ...) is CloudFormation's short form of an intrinsic
// function; yaml-cpp reports quoted scalars as "!" and untagged nodes as "?" or "".
bool is_short_form(const std::string& tag) {
    return tag.size() > 1 && tag[0] == '!' && tag[1] != '!';
}

std::string function_of(const std::string& name) {
    return name == "Ref" || name == "Condition" ? name : "Fn::" + name;
}

node convert(const YAML::Node& in, const std::string& source, const std::string& path,
             bool untagged = false);

node intrinsic(std::string function, std::string spelling, node argument) {
    node n;
    n.type = node::kind::intrinsic;
    n.text = std::move(function);
    n.spelling = std::move(spelling);
    n.items.push_back(std::move(argument));
    return n;
}

node convert(const YAML::Node& in, const std::string& source, const std::string& path,
             bool untagged) {
    const std::string& tag = in.Tag();
    if (!untagged && is_short_form(tag)) {
        return intrinsic(function_of(tag.substr(1)), tag, convert(in, source, path, true));
    }
    if (!untagged && !tag.empty() && tag != "?" && tag != "!" &&
        !tag.starts_with("tag:yaml.org,2002:")) {
        throw config_error(source + ": " + path + ": the tag " + tag + " is not supported");
    }
    node out;
    switch (in.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null:
            return out;
        case YAML::NodeType::Scalar:
            return node::scalar(in.Scalar());
        case YAML::NodeType::Sequence: {
            out.type = node::kind::sequence;
            std::size_t i = 0;
            for (const auto& item : in) {
                out.items.push_back(convert(item, source, path + "[" + std::to_string(i++) + "]"));
            }
            return out;
        }
        case YAML::NodeType::Map: {
            out.type = node::kind::mapping;
            std::set<std::string> seen;
            for (const auto& entry : in) {
                if (!entry.first.IsScalar()) {
                    throw config_error(source + ": " + path + ": a key must be a plain string");
                }
                const std::string key = entry.first.Scalar();
                if (!seen.insert(key).second) {
                    throw config_error(source + ": " + child(path, key) + ": duplicate key");
                }
                out.entries.emplace_back(key, convert(entry.second, source, child(path, key)));
            }
            // The long form of an intrinsic: a mapping whose one key is Ref or Fn::<name>.
            if (out.entries.size() == 1) {
                auto& [key, value] = out.entries.front();
                if (key == "Ref" || key.starts_with("Fn::")) {
                    std::string spelling = key;
                    return intrinsic(key, std::move(spelling), std::move(value));
                }
            }
            return out;
        }
    }
    return out;
}

}  // namespace

const node* node::find(std::string_view key) const {
    for (const auto& [k, v] : entries) {
        if (k == key) {
            return &v;
        }
    }
    return nullptr;
}

node node::scalar(std::string text) {
    node n;
    n.type = kind::scalar;
    n.text = std::move(text);
    return n;
}

node parse_yaml(std::string_view text, const std::string& source) {
    YAML::Node doc;
    try {
        doc = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        // yaml-cpp's marks are 0-based.
        throw config_error(source + ": line " + std::to_string(e.mark.line + 1) + ", column " +
                           std::to_string(e.mark.column + 1) + ": " + e.msg);
    }
    return convert(doc, source, "");
}

}  // namespace lambdaport::runtime::sam
