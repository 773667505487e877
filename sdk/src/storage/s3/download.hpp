#pragma once

// GetObject, streamed: the body goes to the sink as it arrives (never held whole), and a
// connection that drops midway is resumed from the byte reached, with `If-Match` so that the
// rest comes from the same version of the object.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "lambdaport/storage.hpp"

namespace lambdaport::storage::detail::s3 {

class client;

/// Streams `bucket/key` (or `range` of it) to `sink`; returns the object's metadata (size = the
/// whole object). An exception from `sink` stops the transfer and propagates unchanged.
object_info download(client& c, const std::string& bucket, const std::string& key,
                     const std::function<void(std::string_view)>& sink,
                     std::optional<byte_range> range);

/// "bytes a-b/total" → {a, b, total}; total is nothing for "*".
struct content_range {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::optional<std::uint64_t> total;
};
std::optional<content_range> parse_content_range(std::string_view header);

}  // namespace lambdaport::storage::detail::s3
