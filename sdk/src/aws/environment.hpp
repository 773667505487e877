#pragma once

// Where an AWS client sends its requests and as whom, read from the standard variables, as the
// AWS SDKs and the CLI read them: the same handler reaches MinIO or moto on a laptop and the real
// services inside Lambda with no change but its environment.

#include <chrono>
#include <functional>
#include <string>
#include <utility>

namespace lambdaport::detail::aws {

struct service_environment {
    /// AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL; empty = the service's AWS endpoint.
    std::string endpoint;
    /// AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1.
    std::string region;
    std::string access_key_id;      // AWS_ACCESS_KEY_ID
    std::string secret_access_key;  // AWS_SECRET_ACCESS_KEY
    std::string session_token;      // AWS_SESSION_TOKEN
};

/// Reads the environment for the service whose endpoint variable is `endpoint_variable`
/// (e.g. "AWS_ENDPOINT_URL_SQS").
service_environment read_environment(const char* endpoint_variable);

/// The environment of `endpoint_variable`'s service as a client's settings: any struct with the
/// same five fields (`storage::store::s3_settings`, `sqs::settings`, `lambda::settings`).
template <class Settings>
Settings settings_from_environment(const char* endpoint_variable) {
    service_environment env = read_environment(endpoint_variable);
    Settings s;
    s.endpoint = std::move(env.endpoint);
    s.region = std::move(env.region);
    s.access_key_id = std::move(env.access_key_id);
    s.secret_access_key = std::move(env.secret_access_key);
    s.session_token = std::move(env.session_token);
    return s;
}

/// The CA bundle TLS peers are verified against, for CURLOPT_CAINFO: `aws_ca_bundle` (the value of
/// AWS_CA_BUNDLE, as the AWS SDKs read it) when set; else libcurl's built-in bundle `curl_default`
/// when that file exists; else the first that exists of the usual places (Amazon Linux's
/// /etc/pki/tls/certs/ca-bundle.crt, Debian's /etc/ssl/certs/ca-certificates.crt, …); else empty
/// (leave libcurl's default). A handler built on Debian and run on Amazon Linux would otherwise look
/// for Debian's file only and verify nothing.
std::string choose_ca_bundle(const char* aws_ca_bundle, const char* curl_default,
                             const std::function<bool(const std::string&)>& exists);

/// choose_ca_bundle() for this process: its environment, libcurl and its file system; decided once.
const std::string& ca_bundle();

/// Whether `region` can go into a SigV4 scope (what CURLOPT_AWS_SIGV4 accepts): 1 to 64 of
/// `A-Z a-z 0-9 - _`.
bool valid_region(const std::string& region);

/// How long to wait before the try after `failed_tries` failed ones: full jitter, uniform in
/// [0, min(10 s, 100 ms × 2^(failed_tries - 1))].
std::chrono::milliseconds backoff(int failed_tries);

}  // namespace lambdaport::detail::aws
