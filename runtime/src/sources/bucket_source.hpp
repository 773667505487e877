#pragma once

#include <memory>

#include "sources/source.hpp"

namespace lambdaport::runtime::sources {

/// New objects in a bucket, on whatever backend the engine's storage is, as S3 notifications:
/// one record per invocation, through the durable async queue (as Amazon S3 invokes Lambda).
/// On local disk the bucket's folder is watched with inotify (only complete files count: an
/// atomic rename or the close of a file written in place), with a full listing every
/// rescan_interval as a safety net; on S3-compatible stores the bucket is listed every
/// poll_interval. Progress is checkpointed under <state>/sources/<function>/<event>.
std::unique_ptr<source> make_bucket_source(const config::function_config& fn,
                                           const config::event_source_config& ev, delivery& to,
                                           const source_environment& env);

}  // namespace lambdaport::runtime::sources
