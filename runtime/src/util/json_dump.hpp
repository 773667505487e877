#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace lambdaport::runtime::util {

/// Compact JSON text of `value`. Strings that are not valid UTF-8 (a byte a caller or a handler
/// sent) have each bad sequence replaced by U+FFFD instead of making nlohmann::json throw: every
/// JSON the engine writes goes through here, so no input can turn an answer into an exception.
std::string dump_json(const nlohmann::json& value);
/// The same for a document whose keys keep their insertion order (events with AWS's key order).
std::string dump_json(const nlohmann::ordered_json& value);

}  // namespace lambdaport::runtime::util
