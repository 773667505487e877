#include "template/yaml.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <set>
#include <unordered_set>

#include "config/config.hpp"

namespace lambdaport::runtime::sam {
namespace {

using config::config_error;

// yaml-cpp refuses documents nested deeper than about 500 levels while it parses them (its parser
// recurses), but aliases nest further without limit: `a1: &a1 [*a0]`, `a2: &a2 [*a1]`, ... and
// even into themselves (`&a [*a]`). Conversion recurses, so it keeps to the same depth.
constexpr std::size_t max_depth = 500;
// yaml-cpp shares an anchored node between its aliases; here each alias becomes a copy. Nine
// anchors of nine aliases each (the "billion laughs") would make 387 million nodes: the values
// that aliases add are limited, the template's own are not (its size bounds them).
constexpr std::size_t max_alias_values = 100'000;

// A local tag (`!Ref`, `!GetAtt`, `!If`, ...) is CloudFormation's short form of an intrinsic
// function; yaml-cpp reports quoted scalars as "!" and untagged nodes as "?" or "".
bool is_short_form(const std::string& tag) {
    return tag.size() > 1 && tag[0] == '!' && tag[1] != '!';
}

std::string function_of(const std::string& name) {
    return name == "Ref" || name == "Condition" ? name : "Fn::" + name;
}

node intrinsic(std::string function, std::string spelling, node argument) {
    node n;
    n.type = node::kind::intrinsic;
    n.text = std::move(function);
    n.spelling = std::move(spelling);
    n.items.push_back(std::move(argument));
    return n;
}

// yaml-cpp's nodes into ours: one walk of the document, with aliases expanded.
class converter {
  public:
    explicit converter(const std::string& source) : source_(source) {}

    node convert(const YAML::Node& in, bool untagged = false) {
        const std::string& tag = in.Tag();
        if (!untagged && is_short_form(tag)) {
            return intrinsic(function_of(tag.substr(1)), tag, convert(in, true));
        }
        if (!untagged && !tag.empty() && tag != "?" && tag != "!" &&
            !tag.starts_with("tag:yaml.org,2002:")) {
            fail("the tag " + tag + " is not supported");
        }
        count(in);
        switch (in.Type()) {
            case YAML::NodeType::Undefined:
            case YAML::NodeType::Null:
                return {};
            case YAML::NodeType::Scalar:
                return node::scalar(in.Scalar());
            case YAML::NodeType::Sequence: {
                const level guard(*this, in);
                node out;
                out.type = node::kind::sequence;
                for (const auto& item : in) {
                    path_.back().index = out.items.size();
                    out.items.push_back(convert(item));
                }
                return out;
            }
            case YAML::NodeType::Map:
                return mapping(in);
        }
        return {};
    }

  private:
    // One step of the path to the node being converted: a key, an index, or neither yet.
    struct step {
        const std::string* key = nullptr;
        std::size_t index = std::string::npos;
    };

    // Enters a sequence or mapping for as long as it lives.
    class level {
      public:
        level(converter& c, const YAML::Node& in)
            : c_(c), at_(static_cast<std::size_t>(in.Mark().pos)) {
            if (c_.path_.size() >= max_depth) {
                c_.fail_at(in.Mark(), "nested more than " + std::to_string(max_depth) +
                                          " levels deep (through aliases)");
            }
            if (!c_.open_.insert(at_).second) {
                c_.fail_at(in.Mark(), "an alias refers to a node that contains it");
            }
            // Containers start at distinct places, so a place seen before is an alias's copy.
            copy_ = !c_.seen_.insert(at_).second;
            c_.copies_ += copy_ ? 1 : 0;
            c_.path_.emplace_back();
        }
        ~level() {
            c_.path_.pop_back();
            c_.copies_ -= copy_ ? 1 : 0;
            c_.open_.erase(at_);
        }
        level(const level&) = delete;
        level& operator=(const level&) = delete;

      private:
        converter& c_;
        std::size_t at_;
        bool copy_ = false;
    };

    node mapping(const YAML::Node& in) {
        const level guard(*this, in);
        node out;
        out.type = node::kind::mapping;
        std::set<std::string_view> keys;
        out.entries.reserve(in.size());
        for (const auto& entry : in) {
            if (!entry.first.IsScalar()) {
                path_.back().key = nullptr;
                fail("a key must be a plain string");
            }
            // yaml-cpp's own string, alive as long as the document.
            const std::string& key = entry.first.Scalar();
            path_.back().key = &key;
            if (!keys.insert(key).second) {
                fail("duplicate key");
            }
            out.entries.emplace_back(key, convert(entry.second));
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

    // Counts a value that an alias adds.
    void count(const YAML::Node& in) {
        if (copies_ > 0 && ++alias_values_ > max_alias_values) {
            fail_at(in.Mark(), "aliases expand the template to more than " +
                                   std::to_string(max_alias_values) + " values");
        }
    }

    // "Resources.Fn.Properties.Events[0]": built only for a message, since a path per node would
    // cost time and memory with the square of the depth.
    std::string path() const {
        std::string out;
        for (const step& s : path_) {
            if (s.key != nullptr) {
                out += out.empty() ? *s.key : "." + *s.key;
            } else if (s.index != std::string::npos) {
                out += "[" + std::to_string(s.index) + "]";
            }
        }
        return out;
    }

    [[noreturn]] void fail(const std::string& reason) const {
        throw config_error(source_ + ": " + path() + ": " + reason);
    }

    [[noreturn]] void fail_at(const YAML::Mark& mark, const std::string& reason) const {
        // yaml-cpp's marks are 0-based.
        throw config_error(source_ + ": line " + std::to_string(mark.line + 1) + ", column " +
                           std::to_string(mark.column + 1) + ": " + reason);
    }

    const std::string& source_;
    std::vector<step> path_;
    // Where each sequence and mapping converted so far starts, and those being converted now.
    std::unordered_set<std::size_t> seen_;
    std::unordered_set<std::size_t> open_;
    // How many of the open sequences and mappings are an alias's copies, and the values made
    // inside them.
    std::size_t copies_ = 0;
    std::size_t alias_values_ = 0;
};

}  // namespace

const node* node::find(std::string_view key) const {
    for (const auto& [k, v] : entries) {
        if (k == key) {
            return &v;
        }
    }
    return nullptr;
}

node::node() = default;
node::~node() = default;
node::node(const node&) = default;
node::node(node&&) noexcept = default;
node& node::operator=(const node&) = default;
node& node::operator=(node&&) noexcept = default;

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
    } catch (const YAML::DeepRecursion& e) {
        // yaml-cpp's own message is "bad file".
        throw config_error(source + ": line " + std::to_string(e.mark.line + 1) + ", column " +
                           std::to_string(e.mark.column + 1) + ": nested more than " +
                           std::to_string(e.depth() - 1) + " levels deep");
    } catch (const YAML::Exception& e) {
        // yaml-cpp's marks are 0-based.
        throw config_error(source + ": line " + std::to_string(e.mark.line + 1) + ", column " +
                           std::to_string(e.mark.column + 1) + ": " + e.msg);
    }
    return converter(source).convert(doc);
}

}  // namespace lambdaport::runtime::sam
