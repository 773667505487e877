#pragma once

// SQS events as Lambda's event source mapping sends them, and what a function's answer to one
// means when the mapping reports batch item failures.

#include <lambdaport/sqs.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace lambdaport::runtime::sources {

/// One record of `{"Records": [...]}`: messageId, receiptHandle, body, attributes (strings),
/// messageAttributes (Lambda's lower-camel form), md5OfBody, eventSource "aws:sqs",
/// eventSourceARN, awsRegion.
nlohmann::json make_sqs_record(const sqs::message& m, const std::string& queue_arn,
                               const std::string& region);

/// `{"Records": [...]}` for a batch.
nlohmann::json make_sqs_event(const std::vector<sqs::message>& batch, const std::string& queue_arn,
                              const std::string& region);

/// Which messages of a batch failed, from the function's answer.
struct batch_outcome {
    bool all_failed = false;
    /// When not all failed: the message ids reported as failures (each in the batch).
    std::vector<std::string> failed_ids;
    /// Why the answer failed the whole batch (for the log), when it did.
    std::string reason;
};

/// Reads a successful invocation's answer with Lambda's ReportBatchItemFailures rules: an empty
/// or null answer, an answer without `batchItemFailures`, or an empty or null list = every message
/// succeeded; an answer that is not JSON (or not an object), a list that is not a list, an entry
/// whose `itemIdentifier` is missing, null, empty, misnamed or not a message of the batch = the
/// whole batch failed.
batch_outcome read_batch_response(std::string_view answer, const std::vector<sqs::message>& batch);

/// FIFO queues: adds to `failed` every message that comes after a failed one of its message group
/// in the batch, so that deleting the rest cannot put a group out of order.
void hold_back_groups(const std::vector<sqs::message>& batch, std::set<std::string>& failed);

/// The region of an ARN (its fourth field), or empty.
std::string arn_region(std::string_view arn);

}  // namespace lambdaport::runtime::sources
