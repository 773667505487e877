#include "storage/s3/errors.hpp"

#include <algorithm>

#include "storage/s3/documents.hpp"

namespace lambdaport::storage::detail::s3 {

namespace {

std::string where(const operation& op) {
    std::string out(op.name);
    out += ' ';
    out.append(op.bucket);
    if (!op.key.empty()) {
        out.push_back('/');
        out.append(op.key);
    }
    return one_line(out, 1200);
}

storage_error make(const operation& op, std::string code, int status, std::string_view what) {
    std::string message = where(op) + ": " + code;
    if (status != 0) {
        message += " (HTTP " + std::to_string(status) + ")";
    }
    if (!what.empty()) {
        message += ": " + one_line(what);
    }
    return storage_error(std::move(code), status, message, std::string(op.bucket),
                         std::string(op.key));
}

}  // namespace

std::string code_for_status(long status, bool bucket_operation) {
    switch (status) {
        case 301:
            return "PermanentRedirect";
        case 307:
            return "TemporaryRedirect";
        case 400:
            return "BadRequest";
        case 403:
            return "AccessDenied";
        case 404:
            return bucket_operation ? "NoSuchBucket" : "NoSuchKey";
        case 405:
            return "MethodNotAllowed";
        case 409:
            return "Conflict";
        case 411:
            return "MissingContentLength";
        case 412:
            return "PreconditionFailed";
        case 416:
            return "InvalidRange";
        case 429:
            return "SlowDown";
        case 500:
            return "InternalError";
        case 501:
            return "NotImplemented";
        case 503:
            return "ServiceUnavailable";
        default:
            return "HttpStatus" + std::to_string(status);
    }
}

storage_error response_error(const operation& op, long status, std::string_view body) {
    if (auto doc = parse_error_document(body); doc && !doc->code.empty()) {
        return make(op, doc->code, int(status), doc->message);
    }
    std::string code = code_for_status(status, op.key.empty());
    std::string what = body.empty() ? std::string("no error document in the answer")
                                    : "answer: " + one_line(body, 200);
    return make(op, std::move(code), int(status), what);
}

storage_error network_error(const operation& op, std::string_view detail) {
    return make(op, "NetworkError", 0, detail);
}

storage_error invalid_response(const operation& op, long status, std::string_view what) {
    return make(op, "InvalidResponse", int(status), what);
}

storage_error client_error(const operation& op, std::string code, int status,
                           std::string_view what) {
    return make(op, std::move(code), status, what);
}

bool retryable_answer(long status, std::string_view code) {
    if (code == "SlowDown" || code == "Throttling" || code == "ThrottlingException" ||
        code == "RequestTimeout" || code == "RequestLimitExceeded" ||
        code == "TooManyRequestsException" || code == "InternalError" ||
        code == "ServiceUnavailable" || code == "BandwidthLimitExceeded") {
        return true;
    }
    return status == 429 || (status >= 500 && status != 501);
}

std::string one_line(std::string_view text, std::size_t limit) {
    std::string out;
    out.reserve(std::min(text.size(), limit + 3));
    bool space = false;
    for (char c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
            space = !out.empty();
            continue;
        }
        if (space) {
            out.push_back(' ');
            space = false;
        }
        if (out.size() >= limit) {
            out += "...";
            break;
        }
        out.push_back(c);
    }
    return out;
}

}  // namespace lambdaport::storage::detail::s3
