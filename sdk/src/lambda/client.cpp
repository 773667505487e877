// The Lambda client: each invoke is one POST to /2015-03-31/functions/{name}/invocations, signed
// here with SigV4 for service `lambda` (curl's signing gets an encoded path wrong, see
// aws/sigv4.hpp), on pooled keep-alive connections, tried again with backoff on throttling, 5xx
// and connections that could not be made.

#include <cstdlib>
#include <thread>

#include "aws/curl_pool.hpp"
#include "aws/digest.hpp"
#include "aws/environment.hpp"
#include "aws/sigv4.hpp"
#include "aws/transfer.hpp"
#include "lambda/protocol.hpp"
#include "lambdaport/lambda.hpp"

namespace lambdaport::lambda {

namespace aws = ::lambdaport::detail::aws;

// --- lambda_error

struct lambda_error::details {
    std::string code;
    std::string message;
    std::string type;
    std::string reason;
    int http_status;
};

lambda_error::lambda_error(std::string code, int http_status, std::string message, std::string type,
                           std::string reason)
    : std::runtime_error(code + ": " + message),
      details_(std::make_shared<const details>(details{
          std::move(code), std::move(message), std::move(type), std::move(reason), http_status})) {}

const std::string& lambda_error::code() const noexcept {
    return details_->code;
}

const std::string& lambda_error::message() const noexcept {
    return details_->message;
}

int lambda_error::http_status() const noexcept {
    return details_->http_status;
}

const std::string& lambda_error::type() const noexcept {
    return details_->type;
}

const std::string& lambda_error::reason() const noexcept {
    return details_->reason;
}

// --- settings

settings settings::from_environment() {
    settings s = aws::settings_from_environment<settings>("AWS_ENDPOINT_URL_LAMBDA");
    // lambdaport gives its handlers the credential its Invoke API accepts in these two (their
    // AWS_ACCESS_KEY_ID is the one for storage and queues). Only for an endpoint override, so that
    // they never go to AWS Lambda.
    const char* id = std::getenv("LAMBDAPORT_ACCESS_KEY_ID");
    const char* secret = std::getenv("LAMBDAPORT_SECRET_ACCESS_KEY");
    if (!s.endpoint.empty() && id && *id && secret && *secret) {
        s.access_key_id = id;
        s.secret_access_key = secret;
        s.session_token.clear();
    }
    return s;
}

// --- client

namespace {

// The request cannot have reached the function: no connection was made. (Anything later, a
// connection dropped or timed out while the function may be running, is not tried again: a
// second try could run it twice.)
bool not_connected(CURLcode code) {
    switch (code) {
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_SSL_CONNECT_ERROR:
            return true;
        default:
            return false;
    }
}

}  // namespace

struct client::impl {
    std::string endpoint;  // no trailing slash
    int max_attempts;
    std::chrono::seconds read_timeout;
    bool sign = false;
    aws::sigv4_credentials credentials;
    aws::signing unsigned_;  // curl never signs: sign_v4 does
    aws::session_pool pool;
};

client::client(const settings& s) : impl_(std::make_shared<impl>()) {
    if (!aws::valid_region(s.region)) {
        throw std::invalid_argument("lambda region '" + s.region +
                                    "': expected a region name such as eu-west-1");
    }
    if (s.max_attempts < 1) {
        throw std::invalid_argument("lambda settings.max_attempts: must be at least 1");
    }
    if (s.read_timeout.count() < 1) {
        throw std::invalid_argument("lambda settings.read_timeout: must be at least 1 s");
    }
    std::string endpoint =
        s.endpoint.empty() ? "https://lambda." + s.region + ".amazonaws.com" : s.endpoint;
    const bool scheme = endpoint.starts_with("http://") || endpoint.starts_with("https://");
    const auto host_start = endpoint.find("//") + 2;
    while (endpoint.size() > host_start && endpoint.back() == '/') {
        endpoint.pop_back();
    }
    if (!scheme || host_start >= endpoint.size() ||
        endpoint.find_first_of("/?#", host_start) != std::string::npos) {
        throw std::invalid_argument("lambda endpoint '" + endpoint +
                                    "': expected http(s)://host[:port]");
    }
    impl_->endpoint = std::move(endpoint);
    impl_->max_attempts = s.max_attempts;
    impl_->read_timeout = s.read_timeout;
    if (!s.access_key_id.empty()) {
        impl_->sign = true;
        impl_->credentials = {s.access_key_id, s.secret_access_key, s.session_token, s.region,
                              "lambda"};
    }
}

client client::from_environment() {
    return client(settings::from_environment());
}

std::string client::describe() const {
    return "lambda " + impl_->endpoint;
}

invoke_result client::invoke(const std::string& function_name, std::string_view payload,
                             invocation_type type) const {
    invoke_options options;
    options.type = type;
    return invoke(function_name, payload, options);
}

invoke_result client::invoke(const std::string& function_name, std::string_view payload,
                             const invoke_options& options) const {
    impl& self = *impl_;
    const std::string url = self.endpoint + detail::invoke_path(function_name, options.qualifier);
    const std::vector<std::string> headers = detail::invoke_headers(options);
    const std::string payload_sha256 = self.sign ? aws::sha256_hex(payload) : std::string();

    aws::session_pool::lease lease = self.pool.acquire();
    CURL* easy = lease->easy(0);
    for (int attempt = 1;; ++attempt) {
        aws::request req;
        req.method = "POST";
        req.url = url;
        req.headers = headers;
        req.body = aws::body_source::memory(payload);
        req.payload_sha256 = payload_sha256;
        req.stall_timeout = self.read_timeout;
        if (self.sign) {
            // Signed again on every try: the signature carries the time.
            aws::sign_v4(req, self.credentials, std::chrono::system_clock::now());
        }
        aws::transfer t(self.unsigned_, req);
        t.prepare(easy);
        t.finish(lease->run(easy));
        const bool last = attempt >= self.max_attempts;
        if (t.code() != CURLE_OK) {
            if (!not_connected(t.code()) || last) {
                throw lambda_error(
                    "NetworkError", 0,
                    "Invoke of " + function_name + " at " + self.endpoint + ": " + t.curl_error() +
                        (attempt > 1 ? " (after " + std::to_string(attempt) + " tries)"
                                     : std::string()));
            }
        } else {
            aws::response& answer = t.answer();
            if (answer.status >= 200 && answer.status < 300) {
                return detail::parse_result(answer.status, answer.amzn_headers,
                                            std::move(answer.body));
            }
            auto error = detail::parse_error(answer.status, answer.body, answer.amzn_headers);
            if (last || !detail::retryable(answer.status)) {
                throw error;
            }
        }
        std::this_thread::sleep_for(aws::backoff(attempt));
    }
}

}  // namespace lambdaport::lambda
