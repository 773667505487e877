#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "http/message.hpp"

// Who may call the Invoke API once it is exposed: AWS Signature Version 4 (service `lambda`)
// verified against the credentials the engine accepts, with AWS's answers for what it refuses.
// The expected signature is computed by the SDK's signer (sdk/src/aws/sigv4.hpp), from the request
// as it was received.
namespace lambdaport::runtime::auth {

struct credential {
    std::string access_key_id;
    std::string secret_access_key;
};

/// How far a request's X-Amz-Date may be from the engine's clock, either way (AWS's window).
inline constexpr std::chrono::minutes clock_skew{5};

/// Why a request was refused.
enum class failure {
    none,         // accepted
    missing,      // no Authorization header: MissingAuthenticationTokenException
    incomplete,   // an Authorization header AWS could not read: IncompleteSignatureException
    unknown_key,  // a key id the engine does not know: UnrecognizedClientException
    invalid,  // expired, not yet current, wrong scope or wrong signature: InvalidSignatureException
};

struct verdict {
    failure why = failure::none;
    /// AWS's message for the refusal.
    std::string message;
    /// The key id the request named (empty when it named none), for the log.
    std::string access_key_id;

    bool accepted() const { return why == failure::none; }
    /// The x-amzn-ErrorType of the refusal (empty when accepted).
    const char* error_type() const;
};

/// Checks requests against the credentials it accepts. Immutable: safe from any thread.
class verifier {
  public:
    /// Accepts requests signed with one of `accepted`, for `service`, in any region (the engine
    /// serves every region its clients name).
    explicit verifier(std::vector<credential> accepted, std::string service = "lambda");

    /// The verdict on `req` (its target, headers and whole body as received) at `now`.
    verdict check(const http::request& req, std::chrono::system_clock::time_point now) const;

  private:
    std::vector<credential> accepted_;
    std::string service_;
};

/// AWS's answer to a refused request: 403, x-amzn-ErrorType, x-amzn-RequestId and {"message"}
/// (the front end's shape, without the Invoke API's "Type").
http::response refusal(const verdict& v);

/// A fresh credential from the operating system's random source: a 20-character key id starting
/// with "LPH" and a 40-character secret. Throws std::system_error when there is no randomness.
credential random_credential();

}  // namespace lambdaport::runtime::auth
