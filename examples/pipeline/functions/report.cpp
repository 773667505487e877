// report: the reducer. Merges every partial in the `analysis` bucket into the final statistics
// (reports/stats.json) and the HTML report (reports/report.html). Run it with concurrency 1: each
// run reads all partials, so the last run to start sees the last partial. Any event will do (an S3
// notification of a new partial, a schedule, a direct invoke). Answers the headline figures.
// Bucket names: pipeline::buckets::from_environment.
#include <lambdaport/runtime.hpp>
#include <lambdaport/storage.hpp>

#include "steps.hpp"

int main() {
    auto store = lambdaport::storage::store::from_environment();
    const auto where = pipeline::buckets::from_environment();
    return lambdaport::run([&](const nlohmann::json&, const lambdaport::context&) {
        auto stats = pipeline::build_report(store, where);
        return nlohmann::json{{"trips", stats["trips"]["count"]},
                              {"objects", stats["objects"].size()},
                              {"complete", stats["complete"]}};
    });
}
