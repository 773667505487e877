#pragma once

// The names the local-disk backend accepts: S3's bucket naming rules, and the object keys that
// map to exactly one file below the bucket directory (and never anywhere else).

#include <cstddef>
#include <string>
#include <string_view>

namespace lambdaport::storage::detail {

/// S3's longest key, in bytes.
inline constexpr std::size_t max_key_bytes = 1024;
/// The longest name of one file or directory on Linux file systems (NAME_MAX).
inline constexpr std::size_t max_segment_bytes = 255;

/// Why `bucket` breaks S3's bucket naming rules, or empty when it follows them.
std::string bucket_name_problem(std::string_view bucket);

/// Throws storage_error "InvalidBucketName" (400) unless `bucket` follows S3's naming rules.
void check_bucket_name(const std::string& bucket);

/// Why `key` cannot be stored as a file below the bucket directory, or empty when it can.
std::string object_key_problem(std::string_view key);

/// Throws storage_error "KeyTooLongError" (400, as S3) for a key over 1024 bytes, and
/// "InvalidObjectKey" (400) for a key that cannot be stored as a file: empty, not UTF-8, with a
/// NUL byte, absolute, ending in '/', or with an empty, "." or ".." segment.
void check_object_key(const std::string& bucket, const std::string& key);

/// Whether `bytes` is well-formed UTF-8 (no overlong forms, surrogates or code points past
/// U+10FFFF).
bool is_valid_utf8(std::string_view bytes) noexcept;

/// `name` in single quotes for a one-line error message: control bytes escaped as \xNN, and
/// anything past 200 bytes cut to "...".
std::string quote_name(std::string_view name);

}  // namespace lambdaport::storage::detail
