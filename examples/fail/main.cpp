// Fails in each of the three ways a handler can: "mode": "typed" throws a function_error,
// "mode": "exception" throws a std::runtime_error, anything else returns a failure.

#include <iostream>
#include <lambdaport/runtime.hpp>
#include <stdexcept>
#include <string>

int main() {
    return lambdaport::run([](const nlohmann::json& event, const lambdaport::context& ctx) {
        std::string mode;
        if (event.is_object() && event.contains("mode") && event["mode"].is_string()) {
            mode = event["mode"].get<std::string>();
        }
        std::cout << "fail: failing " << ctx.request_id() << " mode=" << mode << '\n';
        if (mode == "typed") {
            throw lambdaport::function_error("Validation.BadInput", "the input was bad");
        }
        if (mode == "exception") {
            throw std::runtime_error("boom");
        }
        return lambdaport::invocation_response::failure("returned failure", "Handler.Failure");
    });
}
