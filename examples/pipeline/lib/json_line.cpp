#include "json_line.hpp"

#include <cstdint>

namespace pipeline::detail {

namespace {

constexpr int max_depth = 32;

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

void append_utf8(std::uint32_t cp, std::string& out) {
    if (cp < 0x80) {
        out.push_back(char(cp));
    } else if (cp < 0x800) {
        out.push_back(char(0xC0 | (cp >> 6)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(char(0xE0 | (cp >> 12)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(char(0xF0 | (cp >> 18)));
        out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    }
}

// Length of the valid UTF-8 sequence starting at s[i] (a lead byte ≥ 0x80), or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const std::size_t n = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) {
        return 0;
    }
    std::uint32_t cp = n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (std::size_t k = 1; k < n; ++k) {
        const unsigned char d = static_cast<unsigned char>(s[i + k]);
        if ((d >> 6) != 0x2) {
            return 0;
        }
        cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return n;
}

}  // namespace

bool json_reader::literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) {
        return false;
    }
    i_ += word.size();
    return true;
}

bool json_reader::read_string(std::string& out) {
    out.clear();
    if (!eat('"')) {
        return false;
    }
    for (;;) {
        if (i_ >= s_.size()) {
            return false;
        }
        const char c = s_[i_];
        if (c == '"') {
            ++i_;
            return true;
        }
        if (static_cast<unsigned char>(c) < 0x20) {
            return false;  // control characters must be escaped
        }
        if (c == '\\') {
            if (i_ + 1 >= s_.size()) {
                return false;
            }
            const char e = s_[i_ + 1];
            i_ += 2;
            switch (e) {
                case '"':
                case '\\':
                case '/':
                    out.push_back(e);
                    break;
                case 'b':
                    out.push_back('\b');
                    break;
                case 'f':
                    out.push_back('\f');
                    break;
                case 'n':
                    out.push_back('\n');
                    break;
                case 'r':
                    out.push_back('\r');
                    break;
                case 't':
                    out.push_back('\t');
                    break;
                case 'u': {
                    auto read4 = [&](std::uint32_t& v) {
                        if (i_ + 4 > s_.size()) {
                            return false;
                        }
                        v = 0;
                        for (int k = 0; k < 4; ++k) {
                            const int h = hex_value(s_[i_ + std::size_t(k)]);
                            if (h < 0) {
                                return false;
                            }
                            v = v * 16 + std::uint32_t(h);
                        }
                        i_ += 4;
                        return true;
                    };
                    std::uint32_t cp = 0;
                    if (!read4(cp)) {
                        return false;
                    }
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        std::uint32_t low = 0;
                        if (!literal("\\u") || !read4(low) || low < 0xDC00 || low > 0xDFFF) {
                            return false;
                        }
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        return false;  // a lone low surrogate
                    }
                    append_utf8(cp, out);
                    break;
                }
                default:
                    return false;
            }
            continue;
        }
        if (static_cast<unsigned char>(c) >= 0x80) {
            const std::size_t n = utf8_sequence(s_, i_);
            if (n == 0) {
                return false;
            }
            out.append(s_.substr(i_, n));
            i_ += n;
            continue;
        }
        out.push_back(c);
        ++i_;
    }
}

bool json_reader::read_number(json_value& v) {
    const std::size_t start = i_;
    eat('-');
    if (i_ >= s_.size()) {
        return false;
    }
    if (s_[i_] == '0') {
        ++i_;
    } else if (s_[i_] >= '1' && s_[i_] <= '9') {
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
            ++i_;
        }
    } else {
        return false;
    }
    auto some_digits = [&] {
        const std::size_t from = i_;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
            ++i_;
        }
        return i_ > from;
    };
    if (eat('.') && !some_digits()) {
        return false;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
        ++i_;
        if (!eat('+')) {
            eat('-');
        }
        if (!some_digits()) {
            return false;
        }
    }
    v.kind = json_value::number;
    v.text = s_.substr(start, i_ - start);
    return true;
}

bool json_reader::skip_container(char close, int depth) {
    skip_ws();
    if (eat(close)) {
        return true;
    }
    for (;;) {
        skip_ws();
        if (close == '}') {
            if (!read_string(value_)) {
                return false;
            }
            skip_ws();
            if (!eat(':')) {
                return false;
            }
            skip_ws();
        }
        json_value ignored;
        if (!read_value(ignored, depth + 1)) {
            return false;
        }
        skip_ws();
        if (eat(',')) {
            continue;
        }
        return eat(close);
    }
}

bool json_reader::read_value(json_value& v, int depth) {
    if (depth > max_depth || i_ >= s_.size()) {
        return false;
    }
    switch (s_[i_]) {
        case '"':
            if (!read_string(value_)) {
                return false;
            }
            v.kind = json_value::string;
            v.text = value_;
            return true;
        case '{':
            ++i_;
            v.kind = json_value::object;
            return skip_container('}', depth);
        case '[':
            ++i_;
            v.kind = json_value::array;
            return skip_container(']', depth);
        case 't':
            v.kind = json_value::boolean;
            v.text = "true";
            return literal("true");
        case 'f':
            v.kind = json_value::boolean;
            v.text = "false";
            return literal("false");
        case 'n':
            v.kind = json_value::null;
            return literal("null");
        default:
            return read_number(v);
    }
}

}  // namespace pipeline::detail
