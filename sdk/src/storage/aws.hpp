#pragma once

// Storage reaches S3 through the SDK's shared AWS transport and computes ETags with its digests
// (sdk/src/aws/); the storage code uses these names unqualified.

#include "aws/curl_pool.hpp"
#include "aws/digest.hpp"
#include "aws/environment.hpp"
#include "aws/transfer.hpp"

namespace lambdaport::storage::detail {

using ::lambdaport::detail::aws::backoff;
using ::lambdaport::detail::aws::body_source;
using ::lambdaport::detail::aws::digest;
using ::lambdaport::detail::aws::ensure_curl_initialised;
using ::lambdaport::detail::aws::md5_hex;
using ::lambdaport::detail::aws::settings_from_environment;
using ::lambdaport::detail::aws::request;
using ::lambdaport::detail::aws::response;
using ::lambdaport::detail::aws::retryable_transport;
using ::lambdaport::detail::aws::session;
using ::lambdaport::detail::aws::session_pool;
using ::lambdaport::detail::aws::sha256_hex;
using ::lambdaport::detail::aws::signing;
using ::lambdaport::detail::aws::to_hex;
using ::lambdaport::detail::aws::transfer;
using ::lambdaport::detail::aws::valid_region;

}  // namespace lambdaport::storage::detail
