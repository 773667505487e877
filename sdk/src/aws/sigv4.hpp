#pragma once

// AWS Signature Version 4 computed here rather than by curl, for the services that need what
// curl 7.88.1's CURLOPT_AWS_SIGV4 gets wrong: it puts the request path into the canonical request
// as sent, while every service but S3 wants each path segment URI-encoded once more ("%3A" is
// signed as "%253A"). Lambda's Invoke path holds a percent-encoded function name, so an ARN or a
// `name:qualifier` would be refused with InvalidSignatureException. (S3 and SQS keep curl's
// signing: S3 signs the path as sent, SQS always posts to "/".)

#include <chrono>
#include <string>
#include <string_view>

#include "aws/transfer.hpp"

namespace lambdaport::detail::aws {

/// Who signs, for which scope.
struct sigv4_credentials {
    std::string access_key_id;
    std::string secret_access_key;
    /// Sent (and signed) as `X-Amz-Security-Token` when not empty.
    std::string session_token;
    std::string region;
    /// e.g. "lambda".
    std::string service;
};

/// What a signature is made of: the canonical request, the string to sign, and the
/// `Authorization` value. For tests, and for explaining a refused signature.
struct sigv4_signature {
    std::string canonical_request;
    std::string string_to_sign;
    std::string authorization;
};

/// Signs `req` as it is, for a service other than S3: every header in `req.headers` is signed
/// (`X-Amz-Date`, "YYYYMMDDTHHMMSSZ", must be one of them, and `Host` should be), the payload hash
/// is `req.payload_sha256` (empty = the hash of no bytes). The URL must be
/// `http(s)://authority/path[?query]` with the path and query percent-encoded as they are sent.
/// @throws std::invalid_argument for a URL of another form or no X-Amz-Date header
sigv4_signature sigv4_sign(const request& req, const sigv4_credentials& credentials);

/// Signs `req` as of `now`: adds `Host` (the URL's authority, so that curl sends exactly what was
/// signed), `X-Amz-Date`, `X-Amz-Security-Token` when there is a session token, then
/// `Authorization`. Send it with `signing{.enabled = false}`: curl must not sign it again.
/// @throws std::invalid_argument as sigv4_sign
void sign_v4(request& req, const sigv4_credentials& credentials,
             std::chrono::system_clock::time_point now);

}  // namespace lambdaport::detail::aws
