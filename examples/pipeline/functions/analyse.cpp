// analyse: computes the partial aggregates of each new cleaned part (FORMAT.md) and writes them to
// the `analysis` bucket. Event: an S3 notification from the `clean` bucket, or {"key": ...}.
// Answers, per part, its key and how many trips it holds.
// Bucket names: pipeline::buckets::from_environment.
#include <lambdaport/events.hpp>
#include <lambdaport/runtime.hpp>
#include <lambdaport/storage.hpp>

#include "steps.hpp"

int main() {
    auto store = lambdaport::storage::store::from_environment();
    const auto where = pipeline::buckets::from_environment();
    return lambdaport::run([&](const nlohmann::json& event, const lambdaport::context&) {
        std::vector<std::string> keys;
        if (lambdaport::events::kind_of(event) == lambdaport::events::event_kind::s3) {
            for (const auto& r : lambdaport::events::s3_event::parse(event).records) {
                keys.push_back(r.key);
            }
        } else {
            keys.push_back(event.at("key").get<std::string>());
        }
        nlohmann::json out = nlohmann::json::array();
        for (const auto& key : keys) {
            auto partial = pipeline::analyse_part(store, key, where);
            out.push_back({{"key", key}, {"trips", partial["trips"]["count"]}});
        }
        return out;
    });
}
