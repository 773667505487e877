// echo: answers every event with the event itself, untouched. The smallest useful handler: it
// takes the raw payload, never parses it and logs nothing, so what it costs is the engine's path.
#include <lambdaport/runtime.hpp>

int main() {
    return lambdaport::run(
        [](std::string_view payload, const lambdaport::context&) { return std::string(payload); });
}
