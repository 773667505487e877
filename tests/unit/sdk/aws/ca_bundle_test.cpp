#include <doctest/doctest.h>

#include <set>
#include <string>

#include "aws/environment.hpp"

using lambdaport::detail::aws::choose_ca_bundle;

namespace {

// A file system holding exactly `files`.
auto holding(std::set<std::string> files) {
    return [files = std::move(files)](const std::string& path) { return files.contains(path); };
}

constexpr const char* debian = "/etc/ssl/certs/ca-certificates.crt";
constexpr const char* amazon_linux = "/etc/pki/tls/certs/ca-bundle.crt";

}  // namespace

TEST_CASE("CA bundle: AWS_CA_BUNDLE wins, whether or not the file exists") {
    CHECK(choose_ca_bundle("/opt/corp.pem", debian, holding({debian})) == "/opt/corp.pem");
    CHECK(choose_ca_bundle("/opt/corp.pem", debian, holding({})) == "/opt/corp.pem");
}

TEST_CASE("CA bundle: libcurl's own bundle where it exists (a handler on the machine it was built on)") {
    CHECK(choose_ca_bundle(nullptr, debian, holding({debian, amazon_linux})) == debian);
    CHECK(choose_ca_bundle("", debian, holding({debian})) == debian);
}

TEST_CASE("CA bundle: built on Debian, run on Amazon Linux: Amazon Linux's bundle") {
    CHECK(choose_ca_bundle(nullptr, debian, holding({amazon_linux})) == amazon_linux);
    CHECK(choose_ca_bundle(nullptr, nullptr, holding({amazon_linux, debian})) == amazon_linux);
    CHECK(choose_ca_bundle(nullptr, "", holding({"/etc/ssl/cert.pem"})) == "/etc/ssl/cert.pem");
}

TEST_CASE("CA bundle: none anywhere leaves libcurl's default") {
    CHECK(choose_ca_bundle(nullptr, debian, holding({})).empty());
    CHECK(choose_ca_bundle(nullptr, nullptr, holding({"/elsewhere.pem"})).empty());
}
