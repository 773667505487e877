#include "aws/environment.hpp"

#include <curl/curl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <random>

namespace lambdaport::detail::aws {

namespace {

constexpr std::chrono::milliseconds backoff_base{100};
constexpr std::chrono::milliseconds backoff_cap{10000};

std::string variable(const char* name) {
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

// Where Linux distributions keep their CA bundle: Amazon Linux, Fedora and RHEL; Debian and Ubuntu;
// openSUSE; Alpine and others.
constexpr const char* ca_bundle_locations[] = {
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
};

bool regular_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

std::string choose_ca_bundle(const char* aws_ca_bundle, const char* curl_default,
                             const std::function<bool(const std::string&)>& exists) {
    if (aws_ca_bundle && *aws_ca_bundle) {
        return aws_ca_bundle;
    }
    if (curl_default && *curl_default && exists(curl_default)) {
        return curl_default;
    }
    for (const char* location : ca_bundle_locations) {
        if (exists(location)) {
            return location;
        }
    }
    return {};
}

const std::string& ca_bundle() {
    static const std::string chosen = [] {
        const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
        const char* curl_default = info && info->age >= CURLVERSION_SEVENTH ? info->cainfo : nullptr;
        return choose_ca_bundle(std::getenv("AWS_CA_BUNDLE"), curl_default, regular_file);
    }();
    return chosen;
}

service_environment read_environment(const char* endpoint_variable) {
    service_environment env;
    env.endpoint = variable(endpoint_variable);
    if (env.endpoint.empty()) {
        env.endpoint = variable("AWS_ENDPOINT_URL");
    }
    env.region = variable("AWS_REGION");
    if (env.region.empty()) {
        env.region = variable("AWS_DEFAULT_REGION");
    }
    if (env.region.empty()) {
        env.region = "us-east-1";
    }
    env.access_key_id = variable("AWS_ACCESS_KEY_ID");
    env.secret_access_key = variable("AWS_SECRET_ACCESS_KEY");
    env.session_token = variable("AWS_SESSION_TOKEN");
    return env;
}

bool valid_region(const std::string& region) {
    return !region.empty() && region.size() <= 64 &&
           std::all_of(region.begin(), region.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
           });
}

std::chrono::milliseconds backoff(int failed_tries) {
    auto ceiling = backoff_base * (1LL << std::clamp(failed_tries - 1, 0, 16));
    ceiling = std::min<std::chrono::milliseconds>(ceiling, backoff_cap);
    thread_local std::minstd_rand random(std::random_device{}());
    std::uniform_int_distribution<long long> pick(0, ceiling.count());
    return std::chrono::milliseconds(pick(random));
}

}  // namespace lambdaport::detail::aws
