// Sleeps for event.seconds (default 3600, fractions allowed), then says how long: for timeouts.

#include <chrono>
#include <iostream>
#include <lambdaport/runtime.hpp>
#include <thread>

int main() {
    return lambdaport::run([](const nlohmann::json& event, const lambdaport::context& ctx) {
        nlohmann::json seconds = 3600;
        if (event.is_object() && event.contains("seconds") && event["seconds"].is_number()) {
            seconds = event["seconds"];
        }
        std::cout << "sleep: " << ctx.request_id() << " sleeping " << seconds << " s\n";
        std::this_thread::sleep_for(std::chrono::duration<double>(seconds.get<double>()));
        return nlohmann::json{{"slept", seconds}};
    });
}
