#pragma once

// Reads the JSON a handler is given. nlohmann::json parses without recursion, but copying,
// comparing and writing a value recurse once per level of nesting: an event nested 70,000 deep
// parses fine and then overflows the stack of the first handler that copies it. So the SDK
// builds no value deeper than `max_event_depth`.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace lambdaport::detail {

/// The deepest nesting of objects and arrays in an event the SDK hands to a handler. Python's
/// Lambda runtime refuses about the same depth (its recursion limit), as does Jackson by default.
inline constexpr std::size_t max_event_depth = 1000;

/// Parses one JSON document into `out`, refusing objects and arrays nested deeper than
/// `max_depth` and numbers beyond a double's range. Returns false when it refuses the text, with
/// `error` saying why ("not JSON: <parser message>" or "nested more than N levels deep"); `out`
/// is then unspecified. Throws only std::bad_alloc.
bool parse_json(std::string_view text, nlohmann::json& out, std::size_t max_depth,
                std::string& error);

/// Whether `value` nests objects and arrays deeper than `max_depth` (a scalar has depth 0).
/// Walks the value without recursion.
bool nests_deeper_than(const nlohmann::json& value, std::size_t max_depth);

}  // namespace lambdaport::detail
