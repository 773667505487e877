#pragma once

// The XML documents S3 sends and receives: parsed answers (errors, listings, multipart upload
// and copy results) and the bodies of CompleteMultipartUpload and CreateBucket.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lambdaport/storage.hpp"

namespace lambdaport::storage::detail::s3 {

/// `text` with `< > & " '` as XML entities, for element content and attribute values.
std::string xml_escape(std::string_view text);

/// An S3 `<Error>`.
struct error_document {
    std::string code;
    std::string message;
};

/// The `<Error>` in `body`, or nothing when the body is not one (empty, HTML, another document).
std::optional<error_document> parse_error_document(std::string_view body);

/// A ListObjectsV2 answer (`<ListBucketResult>`).
/// @throws xml_error when it is not one.
list_page parse_list_objects(std::string_view body);

/// The `UploadId` of an `<InitiateMultipartUploadResult>`.
/// @throws xml_error when it is not one.
std::string parse_upload_id(std::string_view body);

/// The `ETag` of a `<CompleteMultipartUploadResult>`.
/// @throws xml_error when it is not one (an `<Error>` is checked for first by the caller).
std::string parse_complete_etag(std::string_view body);

/// A `<CopyObjectResult>`.
struct copy_result {
    std::string etag;
    std::chrono::system_clock::time_point last_modified{};
};
/// @throws xml_error when it is not one.
copy_result parse_copy_result(std::string_view body);

/// The body of CompleteMultipartUpload for parts 1..N with these ETags.
std::string complete_multipart_body(const std::vector<std::string>& etags);

/// The body of CreateBucket in `region` (empty for us-east-1, which takes no location).
std::string create_bucket_body(std::string_view region);

/// `"etag"`: quotes added when a store sent none (S3 always quotes).
std::string quoted_etag(std::string etag);

}  // namespace lambdaport::storage::detail::s3
