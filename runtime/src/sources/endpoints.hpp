#pragma once

// How the engine reaches its storage and its SQS endpoint: for the event sources, and for the
// buckets and queues a template declares. Include only from .cpp files (it brings the SDK's
// storage and SQS headers).

#include <lambdaport/sqs.hpp>
#include <lambdaport/storage.hpp>
#include <string>

#include "sources/source.hpp"

namespace lambdaport::runtime::sources {

/// The store the engine's storage setting names; `inherit` opens what the environment says.
storage::store open_store(const config::storage_config& storage, const std::string& region);

/// SQS client settings: the environment's credentials, the engine's SQS endpoint, and the
/// engine's region when the environment names none.
sqs::settings sqs_settings(const source_environment& env);

}  // namespace lambdaport::runtime::sources
