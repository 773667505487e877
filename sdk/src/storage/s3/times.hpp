#pragma once

// The two time formats S3 uses: HTTP dates in headers (`Last-Modified`, `Date`) and ISO 8601 in
// XML (`LastModified`).

#include <chrono>
#include <optional>
#include <string_view>

namespace lambdaport::storage::detail::s3 {

/// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 1123, what S3 sends); also the obsolete RFC 850
/// ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994") forms HTTP allows.
/// Nothing for anything else.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

/// "2009-10-12T17:50:30.000Z": optional fraction, `Z` or a `±hh:mm` offset. Nothing for anything
/// else.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

}  // namespace lambdaport::storage::detail::s3
