#include "storage/file_names.hpp"

#include <cstdint>

#include "lambdaport/storage.hpp"

namespace lambdaport::storage::detail {

namespace {

bool is_lower_or_digit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_digits(std::string_view text) {
    if (text.empty()) {
        return false;
    }
    for (char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

// "192.168.5.4" and the like: four dot-separated numbers.
bool looks_like_ip_address(std::string_view name) {
    int parts = 0;
    for (;;) {
        const std::size_t dot = name.find('.');
        if (!is_digits(name.substr(0, dot))) {
            return false;
        }
        ++parts;
        if (dot == std::string_view::npos) {
            return parts == 4;
        }
        name.remove_prefix(dot + 1);
    }
}

}  // namespace

std::string bucket_name_problem(std::string_view bucket) {
    if (bucket.size() < 3 || bucket.size() > 63) {
        return "it must be 3 to 63 characters long";
    }
    for (char c : bucket) {
        if (!is_lower_or_digit(c) && c != '.' && c != '-') {
            return "only lowercase letters, digits, '.' and '-' are allowed";
        }
    }
    if (!is_lower_or_digit(bucket.front()) || !is_lower_or_digit(bucket.back())) {
        return "it must begin and end with a letter or digit";
    }
    if (bucket.find("..") != std::string_view::npos) {
        return "it must not contain two adjacent periods";
    }
    if (looks_like_ip_address(bucket)) {
        return "it must not be formatted as an IP address";
    }
    if (bucket.starts_with("xn--") || bucket.starts_with("sthree-")) {
        return "the prefixes 'xn--' and 'sthree-' are reserved";
    }
    if (bucket.ends_with("-s3alias") || bucket.ends_with("--ol-s3")) {
        return "the suffixes '-s3alias' and '--ol-s3' are reserved";
    }
    return {};
}

void check_bucket_name(const std::string& bucket) {
    if (std::string problem = bucket_name_problem(bucket); !problem.empty()) {
        throw storage_error("InvalidBucketName", 400,
                            "bucket name " + quote_name(bucket) + " is invalid: " + problem,
                            bucket);
    }
}

std::string object_key_problem(std::string_view key) {
    if (key.empty()) {
        return "the key is empty";
    }
    if (key.size() > max_key_bytes) {
        return "the key is longer than 1024 bytes";
    }
    if (key.find('\0') != std::string_view::npos) {
        return "the key contains a NUL byte";
    }
    if (!is_valid_utf8(key)) {
        return "the key is not valid UTF-8";
    }
    if (key.front() == '/') {
        return "the key starts with '/' (an absolute path)";
    }
    if (key.back() == '/') {
        return "the key ends with '/' (a folder marker), which cannot be stored as a file";
    }
    for (std::size_t start = 0; start <= key.size();) {
        std::size_t end = key.find('/', start);
        if (end == std::string_view::npos) {
            end = key.size();
        }
        const std::string_view segment = key.substr(start, end - start);
        if (segment.empty()) {
            return "the key has an empty segment ('//')";
        }
        if (segment == "." || segment == "..") {
            return "the key has a '" + std::string(segment) +
                   "' segment, which would name a path outside the key's folder";
        }
        if (segment.size() > max_segment_bytes) {
            return "a segment of the key is longer than 255 bytes, the file system's limit for "
                   "one name";
        }
        start = end + 1;
    }
    return {};
}

void check_object_key(const std::string& bucket, const std::string& key) {
    if (key.size() > max_key_bytes) {
        throw storage_error("KeyTooLongError", 400,
                            "key " + quote_name(key) + " in bucket " + quote_name(bucket) +
                                " is longer than 1024 bytes (" + std::to_string(key.size()) + ")",
                            bucket, key);
    }
    if (std::string problem = object_key_problem(key); !problem.empty()) {
        throw storage_error("InvalidObjectKey", 400,
                            "key " + quote_name(key) + " in bucket " + quote_name(bucket) +
                                " cannot be stored on local disk: " + problem,
                            bucket, key);
    }
}

bool is_valid_utf8(std::string_view bytes) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* end = p + bytes.size();
    while (p < end) {
        const unsigned char lead = *p;
        if (lead < 0x80) {
            ++p;
            continue;
        }
        int length = 0;
        std::uint32_t code = 0;
        std::uint32_t smallest = 0;
        if ((lead & 0xe0) == 0xc0) {
            length = 2;
            code = lead & 0x1f;
            smallest = 0x80;
        } else if ((lead & 0xf0) == 0xe0) {
            length = 3;
            code = lead & 0x0f;
            smallest = 0x800;
        } else if ((lead & 0xf8) == 0xf0) {
            length = 4;
            code = lead & 0x07;
            smallest = 0x10000;
        } else {
            return false;
        }
        if (end - p < length) {
            return false;
        }
        for (int i = 1; i < length; ++i) {
            if ((p[i] & 0xc0) != 0x80) {
                return false;
            }
            code = (code << 6) | (p[i] & 0x3f);
        }
        if (code < smallest || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
            return false;
        }
        p += length;
    }
    return true;
}

std::string quote_name(std::string_view name) {
    constexpr std::size_t limit = 200;
    static constexpr char digits[] = "0123456789abcdef";
    std::string out = "'";
    for (std::size_t i = 0; i < name.size() && i < limit; ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        if (c < 0x20 || c == 0x7f) {
            out += "\\x";
            out += digits[c >> 4];
            out += digits[c & 0x0f];
        } else {
            out += static_cast<char>(c);
        }
    }
    if (name.size() > limit) {
        out += "...";
    }
    out += '\'';
    return out;
}

}  // namespace lambdaport::storage::detail
