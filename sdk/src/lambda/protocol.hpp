#pragma once

// The Invoke API of Lambda (REST-JSON), without the network: the request's path and headers, and
// what an answer's status, headers and body mean (a result, or an error). Kept apart from the
// transport so that it can be checked against answers as AWS writes them.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lambdaport/lambda.hpp"

namespace lambdaport::lambda::detail {

/// Answer headers: lower-case names, as the transport collects them.
using header_list = std::vector<std::pair<std::string, std::string>>;

/// Percent-encodes one path segment: every byte but `A-Z a-z 0-9 - _ . ~` as %XX, so that an ARN's
/// `:` and a qualifier's `$` reach the server as part of the name.
std::string encode_segment(std::string_view text);

/// "/2015-03-31/functions/<name, encoded>/invocations", with "?Qualifier=<encoded>" when
/// `qualifier` is not empty.
/// @throws std::invalid_argument for an empty function name
std::string invoke_path(std::string_view function_name, std::string_view qualifier);

/// The request's headers as "Name: value" lines: Content-Type, X-Amz-Invocation-Type, and when
/// asked X-Amz-Log-Type: Tail and X-Amz-Client-Context (the JSON text, base64-encoded).
std::vector<std::string> invoke_headers(const invoke_options& options);

/// The result a 2xx answer stands for: its payload and the X-Amz-* headers (the log tail
/// decoded).
invoke_result parse_result(long status, const header_list& headers, std::string body);

/// The error an answer that is not a success stands for: its name from `x-amzn-ErrorType` (the
/// part before any ':'), else from the body's `__type` (namespace dropped), else from the status;
/// the message, `Type` and `Reason` from a JSON body.
lambda_error parse_error(long status, std::string_view body, const header_list& headers);

/// Whether an answer with this status may succeed when tried again: throttling and 5xx.
bool retryable(long status);

}  // namespace lambdaport::lambda::detail
