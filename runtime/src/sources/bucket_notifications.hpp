#pragma once

// Setting a storage server up to push a bucket's new objects to the engine, where the server lets a
// client do that through its S3 and SNS APIs: Ceph's radosgw (an SNS topic whose push-endpoint is
// the engine, then the bucket's notification). MinIO's webhook targets live in MinIO's own
// configuration instead (README: "Pushed bucket notifications"). Include only from .cpp files.

#include <lambdaport/storage.hpp>
#include <string>

namespace lambdaport::runtime::sources {

struct notification_setup {
    storage::store::s3_settings server;  // where, and as whom (the bucket's owner)
    std::string bucket;
    std::string id;        // the topic's name and the notification's Id
    std::string push_url;  // where the server POSTs the records
    std::string prefix;
    std::string suffix;
};

/// Creates (or updates) the SNS topic `id` with push-endpoint = push_url, not persistent (pushed
/// during the object's PUT; what cannot be delivered is left to listings), then puts the bucket
/// notification
/// `id` for s3:ObjectCreated:* with the key filter. radosgw keeps the bucket's other
/// notifications (it replaces by Id). Throws std::runtime_error with one line: which call failed
/// and what the server answered.
void configure_notifications(const notification_setup& setup);

}  // namespace lambdaport::runtime::sources
