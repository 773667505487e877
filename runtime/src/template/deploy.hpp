#pragma once

// What `lambdaport serve --template` does before its event sources start, as `sam deploy` would:
// the template's buckets are made on the engine's storage, its queues on the engine's SQS
// endpoint (dead-letter queues first; a queue that is already there is brought in line with the
// template's attributes), and its Outputs are logged.

#include "config/config.hpp"
#include "sources/source.hpp"

namespace lambdaport::runtime::sam {

/// Makes the stack's buckets and queues. Blocking (call before the I/O thread runs). Throws
/// std::runtime_error with one line naming the resource when the store or the endpoint refuses.
void deploy(const config::stack_config& stack, const sources::source_environment& env);

}  // namespace lambdaport::runtime::sam
