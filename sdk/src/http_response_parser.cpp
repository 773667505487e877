#include "http_response_parser.hpp"

#include <cstring>
#include <limits>

#include "error.hpp"

namespace lambdaport::detail {
namespace {

// A chunk-size line is a hex number and perhaps an extension; anything longer is garbage.
constexpr std::size_t max_chunk_line_bytes = 1024;

char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

int hex_value(char c) noexcept {
    if (is_digit(c)) {
        return c - '0';
    }
    c = lower(c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

// RFC 9110 tchar
bool is_token_char(char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c)) {
        return true;
    }
    return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool is_whitespace(char c) noexcept {
    return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_whitespace(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_whitespace(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

// Calls f(token) for each comma-separated element of a field value; stops when f returns true.
template <class F>
bool any_token(std::string_view value, F f) {
    while (!value.empty()) {
        const auto comma = value.find(',');
        if (f(trim(value.substr(0, comma)))) {
            return true;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        value.remove_prefix(comma + 1);
    }
    return false;
}

bool parse_content_length(std::string_view text, std::size_t& out) noexcept {
    if (text.empty() || text.size() > 18) {
        return false;
    }
    std::uint64_t n = 0;
    for (char c : text) {
        if (!is_digit(c)) {
            return false;
        }
        n = n * 10 + static_cast<unsigned>(c - '0');
    }
    if (n > std::numeric_limits<std::size_t>::max()) {
        return false;
    }
    out = static_cast<std::size_t>(n);
    return true;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

void http_response_parser::reset() noexcept {
    data_ = nullptr;
    size_ = 0;
    position_ = 0;
    line_scanned_ = 0;
    headers_begin_ = 0;
    state_ = state::status_line;
    error_.clear();
    status_code_ = 0;
    minor_version_ = 1;
    keep_alive_ = false;
    fields_.clear();
    body_offset_ = 0;
    body_size_ = 0;
    remaining_ = 0;
    expected_size_ = 0;
}

http_response_parser::status http_response_parser::fail(std::error_code error) noexcept {
    error_ = error;
    return status::error;
}

http_response_parser::status http_response_parser::parse(char* data, std::size_t size) {
    data_ = data;
    size_ = size;
    if (error_) {
        return status::error;
    }
    while (state_ == state::status_line || state_ == state::header_line) {
        const std::size_t line_offset = position_;
        std::string_view line;
        if (!next_line(line)) {
            if (size_ - headers_begin_ > max_header_bytes) {
                return fail(error::header_too_large);
            }
            return status::need_more;
        }
        if (position_ - headers_begin_ > max_header_bytes) {
            return fail(error::header_too_large);
        }
        if (state_ == state::status_line) {
            if (!parse_status_line(line)) {
                return fail(error::malformed_status_line);
            }
            state_ = state::header_line;
        } else if (line.empty()) {
            if (!end_of_headers()) {
                return status::error;
            }
        } else if (!parse_header_line(line, line_offset)) {
            return fail(error::malformed_header);
        }
    }

    switch (state_) {
        case state::fixed_body:
            // The body stays where it arrived; wait for all of it.
            if (size_ - position_ < remaining_) {
                return status::need_more;
            }
            body_size_ = remaining_;
            position_ += remaining_;
            remaining_ = 0;
            state_ = state::done;
            return status::done;
        case state::body_to_eof:
            return status::need_more;
        case state::done:
            return status::done;
        default:
            return parse_chunked();
    }
}

http_response_parser::status http_response_parser::finish_at_eof() {
    if (error_) {
        return status::error;
    }
    if (state_ == state::body_to_eof) {
        body_size_ = size_ - body_offset_;
        position_ = size_;
        state_ = state::done;
    }
    if (state_ == state::done) {
        return status::done;
    }
    return fail(size_ == 0 ? error::closed_before_response : error::truncated_response);
}

bool http_response_parser::next_line(std::string_view& line) noexcept {
    const char* begin = data_ + position_;
    const std::size_t available = size_ - position_;
    const void* newline = std::memchr(begin + line_scanned_, '\n', available - line_scanned_);
    if (newline == nullptr) {
        line_scanned_ = available;
        return false;
    }
    const auto length = static_cast<std::size_t>(static_cast<const char*>(newline) - begin);
    line = {begin, length};
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    position_ += length + 1;
    line_scanned_ = 0;
    return true;
}

bool http_response_parser::parse_status_line(std::string_view line) noexcept {
    // HTTP/1.x SP 3DIGIT [SP reason]
    if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || !is_digit(line[7]) ||
        line[8] != ' ') {
        return false;
    }
    if (line[9] < '1' || line[9] > '5' || !is_digit(line[10]) || !is_digit(line[11])) {
        return false;
    }
    if (line.size() > 12 && line[12] != ' ') {
        return false;
    }
    minor_version_ = line[7] - '0';
    status_code_ = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    return true;
}

bool http_response_parser::parse_header_line(std::string_view line, std::size_t line_offset) {
    // Obsolete line folding is not allowed in responses we accept.
    if (is_whitespace(line.front())) {
        return false;
    }
    const auto colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) {
        return false;
    }
    for (std::size_t i = 0; i < colon; ++i) {
        if (!is_token_char(line[i])) {
            return false;
        }
    }
    const std::string_view value = trim(line.substr(colon + 1));
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f) {
            return false;
        }
    }
    const auto value_offset = line_offset + static_cast<std::size_t>(value.data() - line.data());
    fields_.push_back({static_cast<std::uint32_t>(line_offset), static_cast<std::uint32_t>(colon),
                       static_cast<std::uint32_t>(value_offset),
                       static_cast<std::uint32_t>(value.size())});
    return true;
}

bool http_response_parser::end_of_headers() {
    body_offset_ = position_;
    body_size_ = 0;

    if (status_code_ < 200) {
        // An interim response (100 Continue): the real one follows.
        fields_.clear();
        headers_begin_ = position_;
        state_ = state::status_line;
        return true;
    }

    keep_alive_ = minor_version_ >= 1 ? !has_token("connection", "close")
                                      : has_token("connection", "keep-alive");

    if (status_code_ == 204 || status_code_ == 304) {
        state_ = state::done;
        return true;
    }

    if (has_header("transfer-encoding")) {
        // Chunked only when it is the last coding; otherwise the body runs to end of file.
        std::string_view last;
        for (const auto& f : fields_) {
            if (iequals({data_ + f.name_offset, f.name_size}, "transfer-encoding")) {
                any_token({data_ + f.value_offset, f.value_size}, [&](std::string_view token) {
                    if (!token.empty()) {
                        last = token;
                    }
                    return false;
                });
            }
        }
        if (iequals(last, "chunked")) {
            state_ = state::chunk_size;
        } else {
            state_ = state::body_to_eof;
            keep_alive_ = false;
        }
        return true;
    }

    bool have_length = false;
    std::size_t length = 0;
    for (const auto& f : fields_) {
        if (!iequals({data_ + f.name_offset, f.name_size}, "content-length")) {
            continue;
        }
        std::size_t value = 0;
        if (!parse_content_length({data_ + f.value_offset, f.value_size}, value) ||
            (have_length && value != length)) {
            fail(error::malformed_content_length);
            return false;
        }
        have_length = true;
        length = value;
    }
    if (have_length) {
        remaining_ = length;
        expected_size_ = position_ + length;
        state_ = state::fixed_body;
    } else {
        state_ = state::body_to_eof;
        keep_alive_ = false;
    }
    return true;
}

http_response_parser::status http_response_parser::parse_chunked() noexcept {
    for (;;) {
        switch (state_) {
            case state::chunk_size: {
                std::string_view line;
                if (!next_line(line)) {
                    if (size_ - position_ > max_chunk_line_bytes) {
                        return fail(error::malformed_chunk);
                    }
                    return status::need_more;
                }
                std::size_t size = 0;
                std::size_t digits = 0;
                for (; digits < line.size() && hex_value(line[digits]) >= 0; ++digits) {
                    if (size > (std::numeric_limits<std::size_t>::max() >> 4)) {
                        return fail(error::malformed_chunk);
                    }
                    size = size * 16 + static_cast<std::size_t>(hex_value(line[digits]));
                }
                const std::string_view rest = trim(line.substr(digits));
                if (digits == 0 || (!rest.empty() && rest.front() != ';')) {
                    return fail(error::malformed_chunk);
                }
                remaining_ = size;
                state_ = size == 0 ? state::trailer : state::chunk_data;
                break;
            }
            case state::chunk_data: {
                // Move what has arrived of this chunk down to the end of the decoded body.
                const std::size_t n = std::min(remaining_, size_ - position_);
                if (n == 0) {
                    return status::need_more;
                }
                char* to = data_ + body_offset_ + body_size_;
                if (to != data_ + position_) {
                    std::memmove(to, data_ + position_, n);
                }
                body_size_ += n;
                position_ += n;
                remaining_ -= n;
                if (remaining_ != 0) {
                    return status::need_more;
                }
                state_ = state::chunk_end;
                break;
            }
            case state::chunk_end: {
                if (position_ == size_) {
                    return status::need_more;
                }
                if (data_[position_] == '\r') {
                    if (position_ + 1 == size_) {
                        return status::need_more;
                    }
                    ++position_;
                }
                if (data_[position_] != '\n') {
                    return fail(error::malformed_chunk);
                }
                ++position_;
                state_ = state::chunk_size;
                break;
            }
            case state::trailer: {
                // Trailer fields are not used by the Runtime API; skip them.
                std::string_view line;
                if (!next_line(line)) {
                    if (size_ - position_ > max_header_bytes) {
                        return fail(error::header_too_large);
                    }
                    return status::need_more;
                }
                if (line.empty()) {
                    state_ = state::done;
                    return status::done;
                }
                break;
            }
            default:
                return status::done;
        }
    }
}

std::string_view http_response_parser::header(std::string_view name) const noexcept {
    for (const auto& f : fields_) {
        if (iequals({data_ + f.name_offset, f.name_size}, name)) {
            return {data_ + f.value_offset, f.value_size};
        }
    }
    return {};
}

bool http_response_parser::has_header(std::string_view name) const noexcept {
    for (const auto& f : fields_) {
        if (iequals({data_ + f.name_offset, f.name_size}, name)) {
            return true;
        }
    }
    return false;
}

bool http_response_parser::has_token(std::string_view field_name,
                                     std::string_view token) const noexcept {
    for (const auto& f : fields_) {
        if (iequals({data_ + f.name_offset, f.name_size}, field_name) &&
            any_token({data_ + f.value_offset, f.value_size},
                      [&](std::string_view t) { return iequals(t, token); })) {
            return true;
        }
    }
    return false;
}

}  // namespace lambdaport::detail
