#include "auth/verifier.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <system_error>

#include "aws/digest.hpp"
#include "aws/sigv4.hpp"
#include "util/json_dump.hpp"
#include "util/text.hpp"

namespace lambdaport::runtime::auth {
namespace {

namespace aws = ::lambdaport::detail::aws;
using std::chrono::system_clock;

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";

// The three parts of `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
struct authorization {
    std::string_view algorithm;
    std::string_view credential;
    std::string_view signed_headers;
    std::string_view signature;
};

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

// Components are separated by commas, with or without blanks (clients differ).
authorization parse_authorization(std::string_view header) {
    authorization out;
    header = trim(header);
    const auto space = header.find_first_of(" \t");
    out.algorithm = header.substr(0, space);
    std::string_view rest =
        space == std::string_view::npos ? std::string_view() : header.substr(space);
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string_view item = trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        const auto eq = item.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        const std::string_view name = item.substr(0, eq);
        const std::string_view value = item.substr(eq + 1);
        if (name == "Credential") {
            out.credential = value;
        } else if (name == "SignedHeaders") {
            out.signed_headers = value;
        } else if (name == "Signature") {
            out.signature = value;
        }
    }
    return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    for (;;) {
        const auto at = text.find(separator);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos) {
            return parts;
        }
        text.remove_prefix(at + 1);
    }
}

// X-Amz-Date: YYYYMMDD'T'HHMMSS'Z', nothing else.
std::optional<system_clock::time_point> parse_amz_date(std::string_view text) {
    if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') {
        return std::nullopt;
    }
    auto number = [&](std::size_t from, std::size_t count) -> int {
        int value = 0;
        for (std::size_t i = from; i < from + count; ++i) {
            if (text[i] < '0' || text[i] > '9') {
                return -1;
            }
            value = value * 10 + (text[i] - '0');
        }
        return value;
    };
    using namespace std::chrono;
    const int y = number(0, 4), mo = number(4, 2), d = number(6, 2);
    const int h = number(9, 2), mi = number(11, 2), s = number(13, 2);
    const year_month_day day{year{y}, month(unsigned(mo)), std::chrono::day(unsigned(d))};
    if (y < 0 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 ||
        !day.ok()) {
        return std::nullopt;
    }
    return sys_days(day) + hours(h) + minutes(mi) + seconds(s);
}

std::string amz_date(system_clock::time_point t) {
    using namespace std::chrono;
    const auto seconds_since = floor<seconds>(t);
    const auto day = floor<days>(seconds_since);
    const year_month_day ymd(day);
    const hh_mm_ss<seconds> time(seconds_since - day);
    char text[32];
    std::snprintf(text, sizeof text, "%04d%02u%02uT%02d%02d%02dZ", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), int(time.hours().count()),
                  int(time.minutes().count()), int(time.seconds().count()));
    return text;
}

bool has_signed(const std::vector<std::string_view>& names, std::string_view name) {
    for (auto n : names) {
        if (n == name) {
            return true;
        }
    }
    return false;
}

// Compares in time independent of where the two differ, so that a caller cannot find a valid
// signature byte by byte from how long refusals take.
bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    }
    return diff == 0;
}

verdict refuse(failure why, std::string message, std::string_view key = {}) {
    return verdict{why, std::move(message), std::string(key)};
}

constexpr std::string_view mismatch_message =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

}  // namespace

const char* verdict::error_type() const {
    switch (why) {
        case failure::none:
            return "";
        case failure::missing:
            return "MissingAuthenticationTokenException";
        case failure::incomplete:
            return "IncompleteSignatureException";
        case failure::unknown_key:
            return "UnrecognizedClientException";
        case failure::invalid:
            return "InvalidSignatureException";
    }
    return "";
}

verifier::verifier(std::vector<credential> accepted, std::string service)
    : accepted_(std::move(accepted)), service_(std::move(service)) {}

verdict verifier::check(const http::request& req, system_clock::time_point now) const {
    const std::string_view header = req.header_value("Authorization");
    if (header.empty()) {
        return refuse(failure::missing, "Missing Authentication Token");
    }
    const authorization auth = parse_authorization(header);
    const std::string_view date_text = req.header_value("X-Amz-Date");
    if (auth.algorithm == algorithm) {
        std::string missing;
        if (auth.credential.empty()) {
            missing += "Authorization header requires 'Credential' parameter. ";
        }
        if (auth.signature.empty()) {
            missing += "Authorization header requires 'Signature' parameter. ";
        }
        if (auth.signed_headers.empty()) {
            missing += "Authorization header requires 'SignedHeaders' parameter. ";
        }
        if (date_text.empty()) {
            missing +=
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                "header. ";
        }
        if (!missing.empty()) {
            return refuse(failure::incomplete, missing + "Authorization=" + std::string(header));
        }
    } else {
        // Basic, Bearer, SigV4a, ...: nothing here can verify it.
        return refuse(failure::incomplete,
                      "Unsupported AWS 'algorithm': '" + std::string(auth.algorithm) +
                          "': lambdaport verifies AWS4-HMAC-SHA256 (Signature Version 4)");
    }

    const auto scope = split(auth.credential, '/');
    if (scope.size() != 5) {
        return refuse(failure::incomplete,
                      "Credential must have exactly 5 slash-delimited elements, e.g. "
                      "keyid/date/region/service/term, got '" +
                          std::string(auth.credential) + "'");
    }
    const std::string_view key_id = scope[0];
    const credential* known = nullptr;
    for (const auto& c : accepted_) {
        if (c.access_key_id == key_id) {
            known = &c;
        }
    }
    if (!known) {
        return refuse(failure::unknown_key,
                      "The security token included in the request is invalid.", key_id);
    }

    const auto date = parse_amz_date(date_text);
    if (!date) {
        return refuse(failure::incomplete,
                      "Date must be in ISO-8601 'basic format'. Got '" + std::string(date_text) +
                          "'. See http://en.wikipedia.org/wiki/ISO_8601",
                      key_id);
    }
    const auto rounded_now = std::chrono::floor<std::chrono::seconds>(now);
    if (*date < rounded_now - clock_skew) {
        return refuse(failure::invalid,
                      "Signature expired: " + std::string(date_text) + " is now earlier than " +
                          amz_date(rounded_now - clock_skew) + " (" + amz_date(rounded_now) +
                          " - 5 min.)",
                      key_id);
    }
    if (*date > rounded_now + clock_skew) {
        return refuse(failure::invalid,
                      "Signature not yet current: " + std::string(date_text) +
                          " is still later than " + amz_date(rounded_now + clock_skew) + " (" +
                          amz_date(rounded_now) + " + 5 min.)",
                      key_id);
    }

    std::string wrong_scope;
    if (scope[1] != date_text.substr(0, 8)) {
        wrong_scope +=
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
            "date from HTTP: '" +
            std::string(scope[1]) + "' != '" + std::string(date_text.substr(0, 8)) + "', from '" +
            std::string(date_text) + "'. ";
    }
    if (scope[2].empty() || !util::is_name(scope[2])) {
        wrong_scope += "Credential should be scoped to a valid region. ";
    }
    if (scope[3] != service_) {
        wrong_scope += "Credential should be scoped to correct service: '" + service_ + "'. ";
    }
    if (scope[4] != "aws4_request") {
        wrong_scope +=
            "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
            std::string(scope[4]) + "'. ";
    }
    if (!wrong_scope.empty()) {
        wrong_scope.pop_back();
        return refuse(failure::invalid, wrong_scope, key_id);
    }

    // The date must be signed, or an overheard request could be sent again later with a new
    // one; the host as AWS demands.
    const auto signed_names = split(auth.signed_headers, ';');
    if (!has_signed(signed_names, "host")) {
        return refuse(failure::incomplete,
                      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
                      key_id);
    }
    if (!has_signed(signed_names, "x-amz-date")) {
        return refuse(failure::incomplete,
                      "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.", key_id);
    }

    // The canonical request from the request as received: method, path and query as sent (the
    // signer encodes the path once more, as every service but S3 signs it), the headers the
    // client listed, and the hash of the body that arrived, whatever X-Amz-Content-Sha256 says.
    if (req.target.empty() || req.target.front() != '/') {
        return refuse(failure::invalid, std::string(mismatch_message), key_id);
    }
    aws::request expected;
    expected.method = req.method;
    expected.url = "http://invoke-api" + req.target;  // the authority is not signed: Host is
    for (auto name : signed_names) {
        bool present = false;
        for (const auto& h : req.headers) {
            if (util::iequals(h.name, name)) {
                expected.headers.push_back(h.name + ":" + h.value);
                present = true;
            }
        }
        if (!present) {
            return refuse(failure::invalid, std::string(mismatch_message), key_id);
        }
    }
    expected.payload_sha256 = aws::sha256_hex(req.body);
    std::string computed;
    try {
        const auto signature = aws::sigv4_sign(
            expected,
            {known->access_key_id, known->secret_access_key, "", std::string(scope[2]), service_});
        computed = signature.authorization.substr(signature.authorization.rfind('=') + 1);
    } catch (const std::invalid_argument&) {
        return refuse(failure::invalid, std::string(mismatch_message), key_id);
    }
    if (!constant_time_equal(computed, auth.signature)) {
        return refuse(failure::invalid, std::string(mismatch_message), key_id);
    }
    return verdict{failure::none, {}, std::string(key_id)};
}

http::response refusal(const verdict& v) {
    http::response res;
    res.status = 403;
    res.set("Content-Type", "application/json");
    res.set("x-amzn-ErrorType", v.error_type());
    res.set("x-amzn-RequestId", util::make_uuid());
    // The message may quote what the client sent, in any bytes.
    res.body = util::dump_json(nlohmann::json{{"message", v.message}});
    return res;
}

credential random_credential() {
    unsigned char bytes[60];
    std::size_t have = 0;
    while (have < sizeof bytes) {
        const ssize_t n = getrandom(bytes + have, sizeof bytes - have, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::system_error(errno, std::generic_category(), "getrandom");
        }
        have += std::size_t(n);
    }
    // 32 and 64 symbols: every byte maps to one without bias.
    constexpr std::string_view key_symbols = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    constexpr std::string_view secret_symbols =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    credential out;
    out.access_key_id = "LPH";
    for (std::size_t i = 0; i < 17; ++i) {
        out.access_key_id.push_back(key_symbols[bytes[i] % 32]);
    }
    for (std::size_t i = 17; i < 57; ++i) {
        out.secret_access_key.push_back(secret_symbols[bytes[i] % 64]);
    }
    return out;
}

}  // namespace lambdaport::runtime::auth
