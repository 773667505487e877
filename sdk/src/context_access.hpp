#pragma once

// Lets the runtime loop refill one context in place for each invocation, so that the strings
// keep their memory from one invocation to the next.

#include "lambdaport/context.hpp"

namespace lambdaport::detail {

struct context_access {
    static invocation_info& invocation(context& ctx) noexcept { return ctx.invocation_; }
};

}  // namespace lambdaport::detail
