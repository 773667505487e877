#include "aws/sigv4.hpp"

#include <algorithm>
#include <ctime>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

#include "aws/digest.hpp"
#include "aws/uri.hpp"

namespace lambdaport::detail::aws {

namespace {

constexpr std::string_view empty_sha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct url_parts {
    std::string_view authority;
    std::string_view path;
    std::string_view query;
};

url_parts split_url(std::string_view url) {
    std::size_t start = 0;
    if (url.starts_with("http://")) {
        start = 7;
    } else if (url.starts_with("https://")) {
        start = 8;
    } else {
        throw std::invalid_argument("sigv4: not an http(s) URL: " + std::string(url));
    }
    url_parts parts;
    const auto end = url.find_first_of("/?", start);
    parts.authority = url.substr(start, end == std::string_view::npos ? url.npos : end - start);
    if (parts.authority.empty()) {
        throw std::invalid_argument("sigv4: no host in " + std::string(url));
    }
    if (end == std::string_view::npos) {
        return parts;
    }
    const auto question = url.find('?', end);
    parts.path = url.substr(end, question == std::string_view::npos ? url.npos : question - end);
    if (question != std::string_view::npos) {
        parts.query = url.substr(question + 1);
    }
    return parts;
}

// Parameters decoded, encoded the one way SigV4 allows, sorted by name then value.
std::string canonical_query(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> parameters;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (item.empty()) {
            continue;
        }
        const auto eq = item.find('=');
        const std::string_view name = item.substr(0, eq);
        const std::string_view value =
            eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
        parameters.emplace_back(uri_encode(percent_decode(name), false),
                                uri_encode(percent_decode(value), false));
    }
    std::sort(parameters.begin(), parameters.end());
    std::string out;
    for (const auto& [name, value] : parameters) {
        if (!out.empty()) {
            out.push_back('&');
        }
        out += name + "=" + value;
    }
    return out;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
    }
    return out;
}

// Leading and trailing blanks dropped, inner runs of blanks made one space.
std::string squeeze(std::string_view value) {
    std::string out;
    bool blank = false;
    for (char c : value) {
        if (c == ' ' || c == '\t') {
            blank = !out.empty();
            continue;
        }
        if (blank) {
            out.push_back(' ');
            blank = false;
        }
        out.push_back(c);
    }
    return out;
}

std::string_view header_name(std::string_view line) {
    return line.substr(0, line.find(':'));
}

std::string amz_date(std::chrono::system_clock::time_point now) {
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[17];
    std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &tm);
    return text;
}

}  // namespace

sigv4_signature sigv4_sign(const request& req, const sigv4_credentials& credentials) {
    const url_parts url = split_url(req.url);

    // Names in lower case, sorted; repeated headers joined with commas.
    std::map<std::string, std::string> headers;
    for (const auto& line : req.headers) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) {
            continue;
        }
        std::string value = squeeze(std::string_view(line).substr(colon + 1));
        auto [it, inserted] = headers.try_emplace(lower(line.substr(0, colon)), value);
        if (!inserted) {
            it->second += "," + value;
        }
    }
    const auto date = headers.find("x-amz-date");
    if (date == headers.end() || date->second.size() != 16) {
        throw std::invalid_argument("sigv4: the request has no X-Amz-Date header");
    }
    std::string canonical_headers;
    std::string signed_headers;
    for (const auto& [name, value] : headers) {
        canonical_headers += name + ":" + value + "\n";
        signed_headers += (signed_headers.empty() ? "" : ";") + name;
    }

    sigv4_signature out;
    out.canonical_request =
        req.method + "\n" + (url.path.empty() ? std::string("/") : uri_encode(url.path, true)) +
        "\n" + canonical_query(url.query) + "\n" + canonical_headers + "\n" + signed_headers +
        "\n" + (req.payload_sha256.empty() ? std::string(empty_sha256) : req.payload_sha256);

    const std::string& timestamp = date->second;
    const std::string day = timestamp.substr(0, 8);
    const std::string scope =
        day + "/" + credentials.region + "/" + credentials.service + "/aws4_request";
    out.string_to_sign =
        "AWS4-HMAC-SHA256\n" + timestamp + "\n" + scope + "\n" + sha256_hex(out.canonical_request);

    std::string key = hmac_sha256("AWS4" + credentials.secret_access_key, day);
    key = hmac_sha256(key, credentials.region);
    key = hmac_sha256(key, credentials.service);
    key = hmac_sha256(key, "aws4_request");
    out.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
                        ", SignedHeaders=" + signed_headers +
                        ", Signature=" + to_hex(hmac_sha256(key, out.string_to_sign));
    return out;
}

void sign_v4(request& req, const sigv4_credentials& credentials,
             std::chrono::system_clock::time_point now) {
    const url_parts url = split_url(req.url);
    // Signing again (a retry) replaces the previous signature's headers.
    std::erase_if(req.headers, [](const std::string& line) {
        const std::string name = lower(header_name(line));
        return name == "host" || name == "x-amz-date" || name == "x-amz-security-token" ||
               name == "authorization";
    });
    req.headers.push_back("Host: " + std::string(url.authority));
    req.headers.push_back("X-Amz-Date: " + amz_date(now));
    if (!credentials.session_token.empty()) {
        req.headers.push_back("X-Amz-Security-Token: " + credentials.session_token);
    }
    req.headers.push_back("Authorization: " + sigv4_sign(req, credentials).authorization);
}

}  // namespace lambdaport::detail::aws
