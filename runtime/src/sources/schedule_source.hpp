#pragma once

#include <memory>

#include "sources/source.hpp"

namespace lambdaport::runtime::sources {

/// An EventBridge schedule rule: at each firing of its rate(...) or cron(...) expression, the
/// Scheduled Event (or the rule's constant `input`) goes to the durable async queue, as
/// EventBridge invokes Lambda asynchronously. A timer on the engine's I/O thread, armed from the
/// wall clock: a rate rule fires one period after the source starts and then every period, a
/// cron rule at the start of each matching UTC minute.
std::unique_ptr<source> make_schedule_source(const config::function_config& fn,
                                             const config::event_source_config& ev, delivery& to,
                                             const source_environment& env);

}  // namespace lambdaport::runtime::sources
