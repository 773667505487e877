#pragma once

// MD5 (S3's ETag) and SHA-256 (SigV4's payload hash), incremental, over OpenSSL's EVP.

#include <memory>
#include <string>
#include <string_view>

namespace lambdaport::storage::detail {

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

}  // namespace lambdaport::storage::detail
