#pragma once

// A SAM template as a tree: YAML (via yaml-cpp) read into plain nodes, with every intrinsic
// function — short form (`!Ref X`, `!GetAtt X.Arn`, `!Sub ...`) or long form (`Ref: X`,
// `Fn::GetAtt: ...`) — turned into one kind of node, so the rest of the module never sees YAML.
// The namespace is `sam` because `template` is a keyword.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lambdaport::runtime::sam {

struct node {
    enum class kind { null, scalar, sequence, mapping, intrinsic };

    // Declared here, defined in yaml.cpp: defined in the class, they would make clang with
    // libstdc++ check std::pair<std::string, node> while node is still incomplete (an error).
    node();
    ~node();
    node(const node&);
    node(node&&) noexcept;
    node& operator=(const node&);
    node& operator=(node&&) noexcept;

    kind type = kind::null;
    /// scalar: its text (YAML scalars are untyped here: `12`, `true` and `"12"` are all text);
    /// intrinsic: the function as CloudFormation names it, "Ref", "Fn::GetAtt", "Fn::If", ...
    std::string text;
    /// intrinsic: as the template wrote it, "!GetAtt" or "Fn::GetAtt" (for messages).
    std::string spelling;
    /// sequence: the items; intrinsic: its one argument.
    std::vector<node> items;
    /// mapping: key and value, in document order (keys are unique).
    std::vector<std::pair<std::string, node>> entries;

    bool is_null() const noexcept { return type == kind::null; }
    bool is_scalar() const noexcept { return type == kind::scalar; }
    bool is_sequence() const noexcept { return type == kind::sequence; }
    bool is_mapping() const noexcept { return type == kind::mapping; }
    bool is_intrinsic() const noexcept { return type == kind::intrinsic; }

    /// The value of `key` in a mapping, or nullptr (also for a node that is not a mapping).
    const node* find(std::string_view key) const;

    static node scalar(std::string text);
};

/// Parses one YAML document. `source` names it in errors. Throws config::config_error:
/// "<source>: line L, column C: <reason>" for YAML that does not parse, or
/// "<source>: <path>: duplicate key" for a mapping that names a key twice.
node parse_yaml(std::string_view text, const std::string& source);

}  // namespace lambdaport::runtime::sam
