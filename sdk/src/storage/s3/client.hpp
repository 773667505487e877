#pragma once

// What every S3 operation needs: where to send (addressing), how to sign, the pooled curl
// sessions, and sending one request until it gets a final answer (retries with backoff).

#include <chrono>
#include <string>

#include "lambdaport/storage.hpp"
#include "storage/aws.hpp"
#include "storage/s3/errors.hpp"
#include "storage/s3/uri.hpp"

namespace lambdaport::storage::detail::s3 {

class client {
  public:
    /// @throws std::invalid_argument for a malformed endpoint or region.
    client(const store::s3_settings& settings, const store_options& options);

    const addressing& where() const noexcept { return addressing_; }
    const signing& sign() const noexcept { return signing_; }
    const store_options& options() const noexcept { return options_; }
    const std::string& region() const noexcept { return region_; }
    session_pool& pool() noexcept { return pool_; }

    /// Sends `req` until it gets a final answer: dropped connections, timeouts, server errors
    /// and throttling are tried again, up to `max_attempts` tries with exponential backoff and
    /// jitter. Returns the last answer, success or not. Fills in `req.payload_sha256` for a
    /// memory body when it is empty.
    /// @throws storage_error "NetworkError" when no answer came, "LocalIOError" when the body's
    ///         file could not be read.
    response send(const operation& op, request& req);

    /// `send`, and a storage_error for any answer but a 2xx.
    response send_ok(const operation& op, request& req);

    /// How long to wait before the try after `failed_tries` failed ones.
    std::chrono::milliseconds backoff(int failed_tries) const;

    /// The S3 error code in a retryable-looking answer's body (empty if none).
    static std::string error_code(const response& answer);

  private:
    std::string region_;
    addressing addressing_;
    signing signing_;
    store_options options_;
    session_pool pool_;
};

/// The bucket name is usable in a URL, else "InvalidBucketName" (400) without a request.
void check_bucket(const operation& op);
/// The key is not empty (S3 would take the request for one on the bucket), else
/// "InvalidObjectKey" (400).
void check_key(const operation& op);

/// object_info from the headers of a GET, HEAD or PUT answer. `size` is left to the caller.
object_info info_from_headers(const response& answer, std::string_view key);

}  // namespace lambdaport::storage::detail::s3
