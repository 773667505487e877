// A handler built outside lambdaport against the installed package: it keeps the event's "text"
// in the store the environment names (bucket "out", key "consumer.txt"), reads it back and
// answers what it read, so the test sees lambdaport::sdk and lambdaport::storage both at work.

#include <lambdaport/runtime.hpp>
#include <lambdaport/storage.hpp>
#include <string>

int main() {
    auto store = lambdaport::storage::store::from_environment();
    return lambdaport::run([&store](const nlohmann::json& event, const lambdaport::context& ctx) {
        const std::string text = event.value("text", std::string());
        const auto written = store.put("out", "consumer.txt", text, {.content_type = "text/plain"});
        return nlohmann::json{{"consumer", "find_package"},
                              {"function", ctx.function_name()},
                              {"read_back", store.get("out", "consumer.txt")},
                              {"etag", written.etag}};
    });
}
