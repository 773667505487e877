#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Small text helpers shared by the engine's modules: encodings, ids and time stamps.
namespace lambdaport::runtime::util {

/// Standard base64 (RFC 4648, with padding).
std::string base64_encode(std::string_view data);
/// Decodes standard base64; nullopt when the input is not valid base64.
std::optional<std::string> base64_decode(std::string_view text);

/// Decodes %XX escapes (a URL path segment); nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

/// A random RFC 4122 version 4 UUID, lower case. Not for cryptographic use.
std::string make_uuid();
/// `n` random lower-case hex digits.
std::string random_hex(std::size_t n);

/// ISO 8601 UTC with milliseconds: 2026-11-23T20:15:00.123Z
std::string iso8601(std::chrono::system_clock::time_point t);

/// Milliseconds since the Unix epoch.
inline std::int64_t epoch_ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

/// Letters, digits, '-' and '_' only, and between 1 and `max` of them: Lambda's rule for function
/// names (64) and qualifiers (128).
bool is_name(std::string_view text, std::size_t max = 64);

/// S3's bucket naming rules: 3-63 lowercase letters, digits, '.' and '-', starting and ending with
/// a letter or digit.
bool is_bucket_name(std::string_view text);

/// The number a text of decimal digits writes ("0", "42"; no sign, no spaces), when it fits;
/// nullopt for anything else. The one conversion for counts and sizes read as text.
std::optional<std::uint64_t> to_unsigned(std::string_view text);

/// The finite number a text writes in decimal or exponent form ("12", "-1.5", "2e3"); nullopt for
/// anything else, including "nan", "inf" and numbers a double cannot hold ("1e999", "1e-999").
std::optional<double> to_number(std::string_view text);

/// Case-insensitive ASCII comparison (HTTP header names).
bool iequals(std::string_view a, std::string_view b);

}  // namespace lambdaport::runtime::util
