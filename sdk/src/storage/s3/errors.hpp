#pragma once

// storage_error for S3 answers: the code and message from the `<Error>` document, or derived
// from the status when there is none (HEAD); which answers deserve another try.

#include <string>
#include <string_view>

#include "lambdaport/storage.hpp"

namespace lambdaport::storage::detail::s3 {

/// What was being done, for messages: the S3 operation name and the object (key may be empty).
struct operation {
    std::string_view name;
    std::string_view bucket;
    std::string_view key;
};

/// The error for an HTTP answer that is not a success. `body` is the answer's body (empty for
/// HEAD); a 404 without a body means NoSuchKey, or NoSuchBucket for a bucket operation.
storage_error response_error(const operation& op, long status, std::string_view body);

/// "NetworkError" (status 0): no answer after every try; `detail` is what curl said.
storage_error network_error(const operation& op, std::string_view detail);

/// "InvalidResponse": an answer that could not be understood.
storage_error invalid_response(const operation& op, long status, std::string_view what);

/// An error of our own making with this code and status (e.g. "InvalidBucketName", 400).
storage_error client_error(const operation& op, std::string code, int status,
                           std::string_view what);

/// Whether an answer with this status and S3 error code may succeed when tried again: server
/// errors, throttling and request timeouts.
bool retryable_answer(long status, std::string_view code);

/// The S3 error code S3 would send with `status` when there is no body to say it.
std::string code_for_status(long status, bool bucket_operation);

/// `text` on one line: control characters become spaces, long text is cut.
std::string one_line(std::string_view text, std::size_t limit = 400);

}  // namespace lambdaport::storage::detail::s3
