// A handler built with lambdaport's SDK compiled as a subproject of this one: it answers the
// event's "name" and who it ran as (lambdaport::sdk alone: no libcurl, no OpenSSL).

#include <lambdaport/runtime.hpp>
#include <string>

int main() {
    return lambdaport::run([](const nlohmann::json& event, const lambdaport::context& ctx) {
        return nlohmann::json{{"consumer", "add_subdirectory"},
                              {"greeting", "hello, " + event.value("name", std::string("world"))},
                              {"function", ctx.function_name()},
                              {"request_id", ctx.request_id()}};
    });
}
