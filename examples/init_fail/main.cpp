// Fails during initialisation unless INIT_OK=1: the error goes to the Runtime API's
// /runtime/init/error and the process exits.

#include <cstdlib>
#include <iostream>
#include <lambdaport/runtime.hpp>
#include <stdexcept>
#include <string_view>

int main() {
    return lambdaport::run_with_init([] {
        const char* ok = std::getenv("INIT_OK");
        if (ok == nullptr || std::string_view(ok) != "1") {
            throw std::runtime_error("init failed: missing configuration");
        }
        std::cout << "init_fail: initialised\n";
        return [](const nlohmann::json& event, const lambdaport::context&) {
            return nlohmann::json{{"initialised", true}, {"event", event}};
        };
    });
}
