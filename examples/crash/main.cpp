// Dies in the middle of an invocation: exits with event.exit_code (default 42), or raises
// event.signal (e.g. 9 or 11) when given.

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <lambdaport/runtime.hpp>

int main() {
    return lambdaport::run(
        [](const nlohmann::json& event, const lambdaport::context& ctx) -> nlohmann::json {
            const auto option = [&](const char* key, int fallback) {
                if (event.is_object() && event.contains(key) && event[key].is_number_integer()) {
                    return event[key].get<int>();
                }
                return fallback;
            };
            std::cout << "crash: crashing " << ctx.request_id() << '\n';
            std::cout.flush();
            if (const int signal = option("signal", 0); signal > 0) {
                std::raise(signal);
            }
            std::exit(option("exit_code", 42));
        });
}
