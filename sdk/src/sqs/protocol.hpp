#pragma once

// The AWS JSON 1.0 protocol of SQS, without the network: request documents for each call, and
// what an answer's body and headers mean (results, messages, errors). Kept apart from the
// transport so that it can be checked against documents as AWS writes them.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lambdaport/sqs.hpp"

namespace lambdaport::sqs::detail {

using json = nlohmann::json;

/// {"QueueUrl", "MaxNumberOfMessages", "WaitTimeSeconds", all attribute names, ...}.
/// @throws std::invalid_argument for values SQS would refuse (so no request is wasted).
json receive_request(const std::string& queue_url, const receive_options& options);

/// The message fields of SendMessage / a SendMessageBatch entry.
/// @throws std::invalid_argument for values SQS would refuse.
json send_fields(std::string_view body, const send_options& options);

/// The messages of a ReceiveMessage answer, each body checked against its MD5.
/// @throws sqs_error "InvalidResponse".
std::vector<message> parse_messages(std::string_view answer);

/// The Successful / Failed lists of a batch answer.
/// @throws sqs_error "InvalidResponse".
batch_result parse_batch_result(std::string_view answer);

/// The error an answer that is not a success stands for: the `__type` of a JSON error body
/// (namespace dropped), else an XML `<Code>` (some servers answer signature failures in XML),
/// else a code derived from the status; `x-amzn-query-error` gives the query code.
sqs_error parse_error(long status, std::string_view body,
                      const std::vector<std::pair<std::string, std::string>>& amzn_headers);

/// Whether an answer with this status and code may succeed when tried again.
bool retryable(long status, std::string_view code);

/// The queue name and owner account of an SQS ARN (arn:<partition>:sqs:<region>:<account>:<name>);
/// empty name when `arn` is not one.
std::pair<std::string, std::string> parse_queue_arn(std::string_view arn);

}  // namespace lambdaport::sqs::detail
