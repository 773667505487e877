#include "sources/endpoints.hpp"

#include <cstdlib>

namespace lambdaport::runtime::sources {

storage::store open_store(const config::storage_config& storage, const std::string& region) {
    using kind = config::storage_config::kind;
    if (storage.type == kind::file) {
        return storage::store::local(storage.root);
    }
    if (storage.type == kind::s3) {
        auto settings = storage::store::s3_settings::from_environment();
        settings.endpoint = storage.endpoint;
        if (settings.region.empty()) {
            settings.region = region;
        }
        return storage::store::s3(settings);
    }
    return storage::store::from_environment();
}

sqs::settings sqs_settings(const source_environment& env) {
    auto settings = sqs::settings::from_environment();
    if (!env.sqs_endpoint.empty()) {
        settings.endpoint = env.sqs_endpoint;
    }
    if (!std::getenv("AWS_REGION") && !std::getenv("AWS_DEFAULT_REGION")) {
        settings.region = env.region;
    }
    return settings;
}

}  // namespace lambdaport::runtime::sources
