#pragma once

// The one way the engine reads JSON it did not write itself: configuration files, template
// values, handlers' answers, callers' client contexts, its own queue and checkpoint files.
//
// nlohmann::json parses without recursion, but copying, comparing and writing a value recurse
// once per level of nesting, so a value nested tens of thousands deep overflows the stack of
// whoever uses it next. Values built here are never deeper than `max_json_depth`.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace lambdaport::runtime::util {

/// The deepest nesting of objects and arrays the engine builds into a value (the SDK refuses
/// events deeper than this too; Python's runtime and Jackson stop at about the same depth).
inline constexpr std::size_t max_json_depth = 1000;

struct json_limits {
    /// Objects and arrays nested deeper than this are refused.
    std::size_t max_depth = max_json_depth;
    /// Refuses an object that names a key twice (otherwise the last one wins, as in nlohmann).
    bool unique_keys = false;
};

/// Why a text was refused, for messages.
struct json_problem {
    enum class kind { syntax, too_deep, out_of_range, duplicate_key };
    kind what = kind::syntax;
    /// Where, 1-based; the column counts bytes.
    std::size_t line = 0;
    std::size_t column = 0;
    /// The key path of the value at fault ("functions.hello.timeout", "events[2]"); empty at the
    /// top level and for a document nested too deep.
    std::string path;
    /// What is wrong, e.g. "the number 1e999 is out of range" or "syntax error while parsing
    /// object - unexpected '}'; expected string literal".
    std::string reason;

    /// One line for a person: "<path>: <reason> (line L, column C)" when a value is named, else
    /// "line L, column C: <reason>".
    std::string message() const;
};

/// Parses one JSON document (RFC 8259; surrounding whitespace allowed). Returns nullopt when it
/// does not parse, holds a number beyond the range of a double (1e999), nests deeper than
/// `limits.max_depth`, or repeats a key when `limits.unique_keys` asks; then `*problem`, when
/// given, says where and why. Never throws but std::bad_alloc.
std::optional<nlohmann::json> parse_json(std::string_view text, const json_limits& limits = {},
                                         json_problem* problem = nullptr);

}  // namespace lambdaport::runtime::util
