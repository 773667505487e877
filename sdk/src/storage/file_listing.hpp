#pragma once

// ListObjectsV2 over a bucket directory. Keys come in ascending byte order of the whole key,
// which is not the order of a depth-first walk ("a-b" < "a/b" < "a0"), so each folder's entries
// are sorted by their name with a '/' appended to folders — that orders every subtree exactly
// where its keys belong. Only folders that can hold keys of the requested prefix and past the
// page's starting point are read; a folder whose keys all roll up into one common prefix is only
// searched for one key that counts.

#include <string>
#include <string_view>

#include "lambdaport/storage.hpp"

namespace lambdaport::storage::detail {

/// One page of the bucket whose directory is `bucket_dir`, with S3's semantics: prefix,
/// delimiter (common prefixes count toward max_keys), start_after (ignored with a continuation
/// token), max_keys. Only regular files (and symbolic links to them) are objects. Throws
/// storage_error "InvalidArgument" (400) for a continuation token this backend did not issue.
list_page list_bucket(const std::string& bucket_dir, const std::string& bucket,
                      const list_options& options);

/// The continuation token that resumes after `last`: a key, or a common prefix (then every key
/// under it is passed over too).
std::string encode_continuation_token(std::string_view last, bool common_prefix);

}  // namespace lambdaport::storage::detail
