#include "template/intrinsics.hpp"

#include <map>

#include "config/config.hpp"

namespace lambdaport::runtime::sam {
namespace {

using config::config_error;

std::string written(const node& fn) {
    return spelled(fn);
}

std::string supported_list(const node& fn) {
    return fn.spelling.starts_with("!") ? "!Ref, !GetAtt and !Sub" : "Ref, Fn::GetAtt and Fn::Sub";
}

class evaluator {
  public:
    evaluator(resolver& names, const std::string& source) : names_(names), source_(source) {}

    node run(const node& value, const std::string& path) {
        switch (value.type) {
            case node::kind::null:
            case node::kind::scalar:
                return value;
            case node::kind::sequence: {
                node out;
                out.type = node::kind::sequence;
                for (std::size_t i = 0; i < value.items.size(); ++i) {
                    out.items.push_back(run(value.items[i], path + "[" + std::to_string(i) + "]"));
                }
                return out;
            }
            case node::kind::mapping: {
                node out;
                out.type = node::kind::mapping;
                for (const auto& [key, v] : value.entries) {
                    out.entries.emplace_back(key, run(v, path + "." + key));
                }
                return out;
            }
            case node::kind::intrinsic:
                try {
                    return node::scalar(call(value, path));
                } catch (const reason_error& e) {
                    throw config_error(source_ + ": " + path + ": " + e.what());
                }
        }
        return value;
    }

  private:
    std::string call(const node& fn, const std::string& path) {
        const node& arg = fn.items.at(0);
        if (fn.text == "Ref") {
            if (!arg.is_scalar() || arg.text.empty()) {
                throw reason_error(written(fn) + " needs the name of a parameter or resource");
            }
            return names_.ref(arg.text, written(fn) + " " + arg.text);
        }
        if (fn.text == "Fn::GetAtt") {
            return get_att(fn, arg);
        }
        if (fn.text == "Fn::Sub") {
            return sub(fn, arg, path);
        }
        throw reason_error(written(fn) + " is not supported (lambdaport evaluates " +
                           supported_list(fn) + ")");
    }

    // !GetAtt X.Attr or !GetAtt [X, Attr]; the logical id ends at the first dot.
    std::string get_att(const node& fn, const node& arg) {
        std::string id;
        std::string attribute;
        if (arg.is_scalar()) {
            auto dot = arg.text.find('.');
            if (dot != std::string::npos) {
                id = arg.text.substr(0, dot);
                attribute = arg.text.substr(dot + 1);
            }
        } else if (arg.is_sequence() && arg.items.size() == 2 && arg.items[0].is_scalar() &&
                   arg.items[1].is_scalar()) {
            id = arg.items[0].text;
            attribute = arg.items[1].text;
        }
        if (id.empty() || attribute.empty()) {
            throw reason_error(written(fn) +
                               " needs LogicalId.Attribute or [LogicalId, Attribute]");
        }
        return names_.get_att(id, attribute, written(fn) + " " + id + "." + attribute);
    }

    // !Sub "text ${Name} ${Name.Attr} ${!Literal}" or !Sub ["text ${Var}", {Var: value}].
    std::string sub(const node& fn, const node& arg, const std::string& path) {
        const node* text = &arg;
        std::map<std::string, std::string> variables;
        if (arg.is_sequence()) {
            if (arg.items.size() != 2 || !arg.items[0].is_scalar() || !arg.items[1].is_mapping()) {
                throw reason_error(written(fn) + " takes a string, or a list of a string and a " +
                                   "mapping of variables");
            }
            text = &arg.items[0];
            for (const auto& [name, value] : arg.items[1].entries) {
                auto v = run(value, path + "[1]." + name);
                if (!v.is_scalar()) {
                    throw config_error(source_ + ": " + path + "[1]." + name + ": a variable of " +
                                       written(fn) + " must be a string");
                }
                variables[name] = v.text;
            }
        } else if (!arg.is_scalar()) {
            throw reason_error(written(fn) + " takes a string, or a list of a string and a " +
                               "mapping of variables");
        }
        const std::string& in = text->text;
        std::string out;
        std::size_t i = 0;
        while (i < in.size()) {
            auto open = in.find("${", i);
            if (open == std::string::npos) {
                out.append(in, i);
                break;
            }
            out.append(in, i, open - i);
            auto close = in.find('}', open);
            if (close == std::string::npos) {
                throw reason_error(written(fn) + " '" + in + "': '${' without a closing '}'");
            }
            std::string name = in.substr(open + 2, close - open - 2);
            i = close + 1;
            if (name.starts_with("!")) {  // ${!Literal} is the text ${Literal}
                out += "${" + name.substr(1) + "}";
                continue;
            }
            if (name.empty()) {
                throw reason_error(written(fn) + " '" + in + "': '${}' names nothing");
            }
            if (auto v = variables.find(name); v != variables.end()) {
                out += v->second;
                continue;
            }
            auto dot = name.find('.');
            if (dot == std::string::npos) {
                out += names_.ref(name, "${" + name + "}");
            } else {
                out += names_.get_att(name.substr(0, dot), name.substr(dot + 1), "${" + name + "}");
            }
        }
        return out;
    }

    resolver& names_;
    const std::string& source_;
};

}  // namespace

std::string spelled(const node& function) {
    return function.spelling.starts_with("!") ? function.spelling : function.spelling + ":";
}

node evaluate(const node& value, resolver& names, const std::string& source,
              const std::string& path) {
    return evaluator(names, source).run(value, path);
}

}  // namespace lambdaport::runtime::sam
