#include "storage/s3/uri.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace lambdaport::storage::detail::s3 {

namespace {

bool lower_alnum(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

query& query::add(std::string_view name, std::string_view value) {
    params_.emplace_back(uri_encode(name), uri_encode(value));
    return *this;
}

std::string query::str() const {
    auto sorted = params_;
    std::sort(sorted.begin(), sorted.end());
    std::string out;
    for (const auto& [name, value] : sorted) {
        if (!out.empty()) {
            out.push_back('&');
        }
        out += name;
        out.push_back('=');
        out += value;
    }
    return out;
}

addressing::addressing(const std::string& endpoint, const std::string& region)
    : amazon_(endpoint.empty()) {
    if (amazon_) {
        if (region.empty() || !std::all_of(region.begin(), region.end(), [](unsigned char c) {
                return lower_alnum(c) || c == '-';
            })) {
            throw std::invalid_argument("s3 region '" + region +
                                        "': must be an AWS region name such as us-east-1");
        }
        scheme_ = "https";
        aws_domain_ = region.rfind("cn-", 0) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
        authority_ = "s3." + region + "." + aws_domain_;
        base_ = scheme_ + "://" + authority_;
        return;
    }
    const auto scheme_end = endpoint.find("://");
    if (scheme_end == std::string::npos) {
        throw std::invalid_argument("s3 endpoint '" + endpoint +
                                    "': must start with http:// or https://");
    }
    scheme_ = endpoint.substr(0, scheme_end);
    std::transform(scheme_.begin(), scheme_.end(), scheme_.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    if (scheme_ != "http" && scheme_ != "https") {
        throw std::invalid_argument("s3 endpoint '" + endpoint +
                                    "': must start with http:// or https://");
    }
    std::string rest = endpoint.substr(scheme_end + 3);
    const auto path_start = rest.find('/');
    authority_ = rest.substr(0, path_start);
    if (path_start != std::string::npos) {
        base_path_ = rest.substr(path_start);
        while (!base_path_.empty() && base_path_.back() == '/') {
            base_path_.pop_back();
        }
    }
    if (authority_.empty() || authority_.find_first_of("?#@ ") != std::string::npos ||
        base_path_.find_first_of("?# ") != std::string::npos) {
        throw std::invalid_argument("s3 endpoint '" + endpoint +
                                    "': expected http[s]://host[:port][/path]");
    }
    base_ = scheme_ + "://" + authority_ + base_path_;
}

std::string addressing::url(std::string_view bucket, std::string_view key, const query& q) const {
    std::string out = scheme_;
    out += "://";
    if (amazon_ && virtual_host_compatible(bucket)) {
        out.append(bucket);
        out.push_back('.');
        out += authority_;
        out.push_back('/');
    } else {
        out += authority_;
        out += base_path_;
        out.push_back('/');
        out.append(bucket);
        if (!key.empty()) {
            out.push_back('/');
        }
    }
    out += uri_encode(key, true);
    if (!q.empty()) {
        out.push_back('?');
        out += q.str();
    }
    return out;
}

std::string copy_source(std::string_view bucket, std::string_view key) {
    std::string out = "/";
    out.append(bucket);
    out.push_back('/');
    out += uri_encode(key, true);
    return out;
}

bool virtual_host_compatible(std::string_view bucket) {
    if (bucket.size() < 3 || bucket.size() > 63 || !lower_alnum(bucket.front()) ||
        !lower_alnum(bucket.back())) {
        return false;
    }
    return std::all_of(bucket.begin(), bucket.end(),
                       [](unsigned char c) { return lower_alnum(c) || c == '-'; });
}

bool valid_bucket_name(std::string_view bucket) {
    if (bucket.empty() || bucket.size() > 255 || bucket == "." || bucket == "..") {
        return false;
    }
    return std::all_of(bucket.begin(), bucket.end(),
                       [](unsigned char c) { return unreserved(c) && c != '~'; });
}

}  // namespace lambdaport::storage::detail::s3
