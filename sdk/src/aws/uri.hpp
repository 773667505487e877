#pragma once

// AWS's URI encoding (SigV4's canonical form): what the S3 backend builds its URLs with, what the
// Lambda client encodes function names with, and what the SigV4 signer canonicalises.

#include <string>
#include <string_view>

namespace lambdaport::detail::aws {

/// `A-Z a-z 0-9 - _ . ~`: the bytes AWS never percent-encodes.
bool unreserved(unsigned char c);

/// Every byte but the unreserved ones as %XX (upper-case hex); `/` kept too when `keep_slash` (an
/// object key in a path).
std::string uri_encode(std::string_view bytes, bool keep_slash = false);

/// The value of a hex digit, or -1.
int hex_value(char c);

/// %XX escapes decoded; anything else (a stray '%' included) kept as it is.
std::string percent_decode(std::string_view text);

}  // namespace lambdaport::detail::aws
