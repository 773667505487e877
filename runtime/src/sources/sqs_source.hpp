#pragma once

#include <memory>

#include "sources/source.hpp"

namespace lambdaport::runtime::sources {

/// Lambda's SQS event source mapping: pollers long-poll the queue (any SQS-compatible endpoint,
/// from AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL, else Amazon SQS), gather up to `batch_size`
/// messages within `maximum_batching_window`, invoke the function synchronously with Lambda's
/// SQS event, delete what succeeded and leave what failed to reappear after the queue's
/// visibility timeout (the queue's redrive policy moves it to a dead-letter queue after
/// maxReceiveCount receives). With ReportBatchItemFailures, the function's `batchItemFailures`
/// name the failures, with Lambda's rules. On a FIFO queue, a failed message also fails the
/// messages after it in its group, so a group's order survives a partial failure. Pollers
/// start at one and scale with the backlog up to `maximum_concurrency` (and the function's
/// concurrency). start() refuses a queue whose visibility timeout is shorter than the
/// function's timeout, as Lambda does.
std::unique_ptr<source> make_sqs_source(const config::function_config& fn,
                                        const config::event_source_config& ev, delivery& to,
                                        const source_environment& env);

}  // namespace lambdaport::runtime::sources
