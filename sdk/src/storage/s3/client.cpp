#include "storage/s3/client.hpp"

#include <thread>

#include "storage/aws.hpp"
#include "storage/s3/documents.hpp"
#include "storage/s3/times.hpp"

namespace lambdaport::storage::detail::s3 {

client::client(const store::s3_settings& settings, const store_options& options)
    : region_(settings.region.empty() ? "us-east-1" : settings.region),
      addressing_(settings.endpoint, region_),
      options_(options) {
    // The region goes into CURLOPT_AWS_SIGV4 ("aws:amz:<region>:s3").
    if (!valid_region(region_)) {
        throw std::invalid_argument("s3 region '" + region_ +
                                    "': expected a region name such as eu-west-1");
    }
    if (!settings.access_key_id.empty()) {
        signing_.enabled = true;
        signing_.sigv4 = "aws:amz:" + region_ + ":s3";
        signing_.access_key_id = settings.access_key_id;
        signing_.secret_access_key = settings.secret_access_key;
        signing_.session_token = settings.session_token;
    }
}

std::chrono::milliseconds client::backoff(int failed_tries) const {
    return detail::backoff(failed_tries);
}

std::string client::error_code(const response& answer) {
    if (auto doc = parse_error_document(answer.body)) {
        return doc->code;
    }
    return {};
}

response client::send(const operation& op, request& req) {
    if (signing_.enabled && req.payload_sha256.empty() && req.body.size() > 0 &&
        !req.body.is_file()) {
        req.payload_sha256 = sha256_hex(req.body.bytes());
    }
    session_pool::lease lease = pool_.acquire();
    CURL* easy = lease->easy(0);
    transfer t(signing_, req);
    for (int attempt = 1;; ++attempt) {
        t.prepare(easy);
        t.finish(lease->run(easy));
        const bool last = attempt >= options_.max_attempts;
        if (!t.body_error().empty()) {
            throw client_error(op, "LocalIOError", 0, t.body_error());
        }
        if (t.sink_error()) {
            std::rethrow_exception(t.sink_error());  // out of memory keeping the answer
        }
        if (t.code() != CURLE_OK) {
            if (!retryable_transport(t.code()) || last) {
                std::string what = t.curl_error();
                if (attempt > 1) {
                    what += " (after " + std::to_string(attempt) + " tries)";
                }
                throw network_error(op, what);
            }
        } else {
            const response& answer = t.answer();
            if (answer.status >= 200 && answer.status < 300) {
                return std::move(t.answer());
            }
            if (last || !retryable_answer(answer.status, error_code(answer))) {
                return std::move(t.answer());
            }
        }
        std::this_thread::sleep_for(backoff(attempt));
    }
}

response client::send_ok(const operation& op, request& req) {
    response answer = send(op, req);
    if (answer.status < 200 || answer.status >= 300) {
        throw response_error(op, answer.status, answer.body);
    }
    return answer;
}

void check_bucket(const operation& op) {
    if (!valid_bucket_name(op.bucket)) {
        throw client_error(op, "InvalidBucketName", 400,
                           "a bucket name is 1 to 255 of A-Z a-z 0-9 . _ -");
    }
}

void check_key(const operation& op) {
    check_bucket(op);
    if (op.key.empty()) {
        throw client_error(op, "InvalidObjectKey", 400, "an object key cannot be empty");
    }
}

object_info info_from_headers(const response& answer, std::string_view key) {
    object_info info;
    info.key = key;
    info.etag = quoted_etag(answer.etag);
    info.content_type = answer.content_type;
    const std::string& when = answer.last_modified.empty() ? answer.date : answer.last_modified;
    if (auto time = parse_http_date(when)) {
        info.last_modified = *time;
    } else {
        info.last_modified = std::chrono::system_clock::now();
    }
    return info;
}

}  // namespace lambdaport::storage::detail::s3
