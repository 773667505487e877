#pragma once

// MD5 (S3's ETag, SQS's body checksums) and SHA-256 (SigV4's payload hash), incremental, over
// OpenSSL's EVP; HMAC-SHA256 for SigV4; base64 for the JSON protocols' binary values.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace lambdaport::detail::aws {

class digest {
  public:
    enum class algorithm { md5, sha256 };

    explicit digest(algorithm which);
    digest(digest&&) noexcept;
    digest& operator=(digest&&) noexcept;
    ~digest();

    void update(std::string_view bytes);
    /// The raw digest; the object cannot be updated afterwards.
    std::string finish();

  private:
    struct state;
    std::unique_ptr<state> state_;
};

/// Lower-case hex of `bytes`.
std::string to_hex(std::string_view bytes);

std::string md5_hex(std::string_view bytes);
std::string sha256_hex(std::string_view bytes);

/// The raw HMAC-SHA256 of `data` under `key` (SigV4's signing key chain and signature).
std::string hmac_sha256(std::string_view key, std::string_view data);

/// Standard base64 (RFC 4648, padded).
std::string base64_encode(std::string_view bytes);
/// Decodes standard padded base64; nullopt when `text` is not that.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace lambdaport::detail::aws
