#include "aws/digest.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <new>
#include <stdexcept>

namespace lambdaport::detail::aws {

struct digest::state {
    EVP_MD_CTX* context = nullptr;
    ~state() { EVP_MD_CTX_free(context); }
};

digest::digest(algorithm which) : state_(std::make_unique<state>()) {
    state_->context = EVP_MD_CTX_new();
    if (state_->context == nullptr) {
        throw std::bad_alloc();
    }
    const EVP_MD* md = which == algorithm::md5 ? EVP_md5() : EVP_sha256();
    if (EVP_DigestInit_ex(state_->context, md, nullptr) != 1) {
        throw std::runtime_error("OpenSSL: cannot initialise a digest");
    }
}

digest::digest(digest&&) noexcept = default;
digest& digest::operator=(digest&&) noexcept = default;
digest::~digest() = default;

void digest::update(std::string_view bytes) {
    if (EVP_DigestUpdate(state_->context, bytes.data(), bytes.size()) != 1) {
        throw std::runtime_error("OpenSSL: digest update failed");
    }
}

std::string digest::finish() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(state_->context, out, &length) != 1) {
        throw std::runtime_error("OpenSSL: digest final failed");
    }
    return std::string(reinterpret_cast<const char*>(out), length);
}

std::string to_hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        hex.push_back(digits[c >> 4]);
        hex.push_back(digits[c & 0x0f]);
    }
    return hex;
}

std::string md5_hex(std::string_view bytes) {
    digest d(digest::algorithm::md5);
    d.update(bytes);
    return to_hex(d.finish());
}

std::string sha256_hex(std::string_view bytes) {
    digest d(digest::algorithm::sha256);
    d.update(bytes);
    return to_hex(d.finish());
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (HMAC(EVP_sha256(), key.data(), int(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
             &length) == nullptr) {
        throw std::runtime_error("OpenSSL: HMAC-SHA256 failed");
    }
    return std::string(reinterpret_cast<const char*>(out), length);
}

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(bytes.data()), int(bytes.size()));
    out.resize(std::size_t(n));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                              (c >= '0' && c <= '9') || c == '+' || c == '/';
        // '=' only as the last one or two characters.
        const bool padding =
            c == '=' && i + 2 >= text.size() && (i + 1 == text.size() || text[i + 1] == '=');
        if (!alphabet && !padding) {
            return std::nullopt;
        }
    }
    std::string out(3 * (text.size() / 4), '\0');
    const int n =
        EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(text.data()), int(text.size()));
    if (n < 0) {
        return std::nullopt;
    }
    // EVP_DecodeBlock counts the padding as zero bytes.
    std::size_t size = std::size_t(n);
    for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) {
        --size;
    }
    out.resize(size);
    return out;
}

}  // namespace lambdaport::detail::aws
