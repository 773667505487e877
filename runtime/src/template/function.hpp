#pragma once

// Private to the template module: AWS::Serverless::Function (and Globals.Function) into the
// engine's function configuration, with its S3, SQS, Schedule and ScheduleV2 events.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "template/code.hpp"
#include "template/stack.hpp"

namespace lambdaport::runtime::sam::detail {

/// A function's properties as read so far: from Globals.Function, then the function's own.
struct function_settings {
    std::optional<std::string> runtime;
    std::optional<std::string> handler;
    std::optional<code_location> code;
    std::string code_path;  // where CodeUri was written, for errors about it
    std::optional<unsigned> memory_mb;
    std::optional<unsigned> timeout_s;
    std::optional<unsigned> concurrency;
    std::optional<unsigned> max_retry_attempts;
    std::optional<unsigned> max_event_age_s;
    std::map<std::string, std::string> environment;
};

/// Reads Globals.Function (`globals` may be nullptr).
function_settings read_globals(stack& s, const node* globals);

/// Maps one AWS::Serverless::Function. A zipped CodeUri is added to `packages` (the handler is
/// then <state>/code/<name>/bootstrap).
config::function_config map_function(stack& s, const resource& r, const function_settings& globals,
                                     std::vector<code_package>& packages);

/// Maps the function's Events into `out.events`.
void map_events(stack& s, const resource& r, config::function_config& out);

}  // namespace lambdaport::runtime::sam::detail
