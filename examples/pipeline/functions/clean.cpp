// clean: the mapper. Cleans one part of a raw object (FORMAT.md) — or a whole object when woken by
// an S3 notification — streaming it, and writes the cleaned part and its quality report to the
// `clean` bucket. Event: {"bucket", "key", "size", "part", "parts"} (from `split`) or an S3
// notification. Answers the quality report(s). Bucket names: pipeline::buckets::from_environment.
#include <lambdaport/events.hpp>
#include <lambdaport/runtime.hpp>
#include <lambdaport/storage.hpp>

#include "steps.hpp"

int main() {
    auto store = lambdaport::storage::store::from_environment();
    const auto where = pipeline::buckets::from_environment();
    return lambdaport::run([&](const nlohmann::json& event, const lambdaport::context&) {
        if (lambdaport::events::kind_of(event) != lambdaport::events::event_kind::s3) {
            return pipeline::clean_part(store, pipeline::part_job::from_json(event), where);
        }
        nlohmann::json reports = nlohmann::json::array();
        for (const auto& r : lambdaport::events::s3_event::parse(event).records) {
            reports.push_back(
                pipeline::clean_part(store, {r.bucket_name, r.key, r.size, 0, 1}, where));
        }
        return reports;
    });
}
