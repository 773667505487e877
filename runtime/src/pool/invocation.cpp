#include "pool/invocation.hpp"
#include "util/json_dump.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

namespace lambdaport::runtime::pool {

net::awaitable<invocation_result> invocation::wait() {
    // One I/O thread: complete() either ran already or will cancel this wait.
    while (!result_) {
        co_await done_.async_wait(net::as_tuple(net::use_awaitable));
    }
    co_return std::move(*result_);
}

std::string error_json(std::string_view error_type, std::string_view message) {
    nlohmann::json body{{"errorMessage", message}, {"errorType", error_type}};
    return util::dump_json(body);
}

invocation_result engine_error(std::string_view error_type, std::string_view message) {
    invocation_result r;
    r.function_error = true;
    r.error_type = std::string(error_type);
    r.payload = error_json(error_type, message);
    return r;
}

invocation_result exit_error(std::string_view request_id, std::string_view how) {
    return engine_error("Runtime.ExitError",
                        "RequestId: " + std::string(request_id) +
                            " Error: Runtime exited with error: " + std::string(how));
}

}  // namespace lambdaport::runtime::pool
