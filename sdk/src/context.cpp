#include "lambdaport/context.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace lambdaport {
namespace {

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr ? std::string(value) : std::string();
}

}  // namespace

std::chrono::milliseconds context::remaining_time() const noexcept {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        invocation_.deadline - std::chrono::system_clock::now());
    return std::max(left, std::chrono::milliseconds::zero());
}

function_info function_info::from_environment() {
    function_info info;
    info.name = environment("AWS_LAMBDA_FUNCTION_NAME");
    info.version = environment("AWS_LAMBDA_FUNCTION_VERSION");
    info.log_group_name = environment("AWS_LAMBDA_LOG_GROUP_NAME");
    info.log_stream_name = environment("AWS_LAMBDA_LOG_STREAM_NAME");
    const std::string memory = environment("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
    int mb = 0;
    const auto [end, ec] = std::from_chars(memory.data(), memory.data() + memory.size(), mb);
    info.memory_limit_mb =
        (ec == std::errc{} && end == memory.data() + memory.size() && mb > 0) ? mb : 0;
    return info;
}

}  // namespace lambdaport
