#pragma once

// URLs for S3 requests, in the form SigV4 signs them. curl 7.88.1 (CURLOPT_AWS_SIGV4) puts the
// URL's path and query into the canonical request exactly as they appear in the URL: it neither
// encodes nor sorts them. So the URLs built here are already canonical: every byte but the
// unreserved ones percent-encoded (upper-case hex), query parameters sorted, each with an `=`.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/uri.hpp"

namespace lambdaport::storage::detail::s3 {

/// AWS's URI encoding, shared with the other service clients (aws/uri.hpp).
using ::lambdaport::detail::aws::unreserved;
using ::lambdaport::detail::aws::uri_encode;

/// A query string in canonical form.
class query {
  public:
    /// Adds a parameter; `value` may be empty (`?uploads` is sent as `uploads=`).
    query& add(std::string_view name, std::string_view value = {});
    /// "a=1&b=2", sorted by encoded name then value; empty when there are no parameters.
    std::string str() const;
    bool empty() const noexcept { return params_.empty(); }

  private:
    std::vector<std::pair<std::string, std::string>> params_;  // encoded
};

/// Where requests go and how buckets are addressed.
class addressing {
  public:
    /// `endpoint`: "http[s]://host[:port][/base]" of an S3-compatible store (path-style), or empty
    /// for Amazon S3 in `region` (virtual-hosted, HTTPS).
    /// @throws std::invalid_argument for a malformed endpoint or region.
    addressing(const std::string& endpoint, const std::string& region);

    /// The URL of a bucket (empty `key`) or of an object, with `q` appended.
    std::string url(std::string_view bucket, std::string_view key, const query& q = {}) const;
    /// "http://127.0.0.1:9000" or "https://s3.eu-west-1.amazonaws.com".
    const std::string& base() const noexcept { return base_; }

  private:
    bool amazon_;
    std::string scheme_;     // "http" or "https"
    std::string authority_;  // host[:port]
    std::string base_path_;  // "" or "/prefix" (no trailing slash)
    std::string aws_domain_;
    std::string base_;
};

/// The `x-amz-copy-source` value for an object: "/bucket/<encoded key>".
std::string copy_source(std::string_view bucket, std::string_view key);

/// Whether `bucket` can be a host name label (lower-case letters, digits, hyphens, no dots): if
/// not, Amazon S3 is addressed path-style.
bool virtual_host_compatible(std::string_view bucket);

/// Whether `bucket` is safe to put into a URL at all: 1 to 255 of `A-Z a-z 0-9 . _ -`.
bool valid_bucket_name(std::string_view bucket);

}  // namespace lambdaport::storage::detail::s3
