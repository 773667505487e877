// split: the map/reduce driver. For each new raw object it cuts the object into byte ranges and
// invokes the `clean` function once per range, asynchronously, through the Lambda Invoke API —
// the engine's on a laptop (AWS_ENDPOINT_URL_LAMBDA, which the engine sets), AWS Lambda inside AWS.
// The parts then flow on by themselves: each cleaned part wakes `analyse`, each partial `report`.
//
// Event: an S3 notification (one record per new object), or {"bucket": ..., "key": ...} to split an
// object by hand. Environment: MAPPERS (most parts per object, default 8), PART_BYTES (least bytes
// worth a part of its own, default 32 MiB), CLEAN_FUNCTION (default "clean").
#include <algorithm>
#include <cstdlib>
#include <lambdaport/events.hpp>
#include <lambdaport/lambda.hpp>
#include <lambdaport/runtime.hpp>
#include <lambdaport/storage.hpp>
#include <stdexcept>
#include <string>

#include "steps.hpp"

namespace {

using json = nlohmann::json;

std::uint64_t setting(const char* name, std::uint64_t fallback, std::uint64_t min,
                      std::uint64_t max) {
    const char* text = std::getenv(name);
    if (!text || !*text) {
        return fallback;
    }
    char* end = nullptr;
    const auto value = std::strtoull(text, &end, 10);
    if (*end != '\0' || value < min || value > max) {
        throw std::invalid_argument(std::string(name) + ": must be a whole number from " +
                                    std::to_string(min) + " to " + std::to_string(max) + ", got '" +
                                    text + "'");
    }
    return value;
}

}  // namespace

int main() {
    const auto mappers = unsigned(setting("MAPPERS", 8, 1, 1000));
    const auto part_bytes = setting("PART_BYTES", 32ull << 20, 1, 1ull << 40);
    const char* target_env = std::getenv("CLEAN_FUNCTION");
    const std::string target = target_env && *target_env ? target_env : "clean";
    auto store = lambdaport::storage::store::from_environment();
    auto lambda = lambdaport::lambda::client::from_environment();

    return lambdaport::run([&](const json& event, const lambdaport::context&) {
        std::vector<pipeline::part_job> objects;
        if (lambdaport::events::kind_of(event) == lambdaport::events::event_kind::s3) {
            for (const auto& r : lambdaport::events::s3_event::parse(event).records) {
                objects.push_back({r.bucket_name, r.key, r.size, 0, 1});
            }
        } else {
            if (!event.contains("bucket") || !event.contains("key")) {
                throw std::invalid_argument("expected an S3 notification or {\"bucket\", \"key\"}");
            }
            auto b = event["bucket"].get<std::string>();
            auto k = event["key"].get<std::string>();
            objects.push_back({b, k, store.head(b, k).size, 0, 1});
        }
        json out = json::array();
        for (auto& job : objects) {
            const std::uint64_t wanted = (job.size + part_bytes - 1) / part_bytes;
            job.parts = unsigned(std::clamp<std::uint64_t>(wanted, 1, mappers));
            for (job.part = 0; job.part < job.parts; ++job.part) {
                auto r = lambda.invoke(target, job.to_json().dump(),
                                       lambdaport::lambda::invocation_type::event);
                if (r.status_code != 202) {
                    throw std::runtime_error("invoking " + target + " for part " +
                                             std::to_string(job.part) + " of " + job.key +
                                             " answered " + std::to_string(r.status_code));
                }
            }
            out.push_back({{"bucket", job.bucket}, {"key", job.key}, {"parts", job.parts}});
        }
        return json{{"split", out}};
    });
}
