#pragma once

// An incremental HTTP/1.x response parser that works inside the caller's receive buffer: no copies
// of headers or body, chunked bodies are decoded in place.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>
#include <vector>

namespace lambdaport::detail {

/// Case-insensitive ASCII comparison, as HTTP field names and tokens need.
bool iequals(std::string_view a, std::string_view b) noexcept;

class http_response_parser {
  public:
    enum class status { need_more, done, error };

    /// Largest status line plus header block accepted.
    static constexpr std::size_t max_header_bytes = 64 * 1024;

    /// Forgets the previous response; keeps the memory for the next one.
    void reset() noexcept;

    /// Parses the bytes received so far for this response, `data[0, size)`. Call again with the
    /// same buffer after more bytes were appended (the buffer may have moved). The parser
    /// rewrites bytes before its position when it decodes chunks, so the caller must not change
    /// them. Returns `done` once the response is complete: everything below is then valid until
    /// the buffer changes or `reset()`; `consumed()` tells where the response ends.
    status parse(char* data, std::size_t size);

    /// The connection reached end of file after `parse` asked for more: completes a response
    /// whose body runs to the end of the connection, otherwise fails with `truncated_response`
    /// (or `closed_before_response` when no byte had arrived).
    status finish_at_eof();

    /// Why `parse` or `finish_at_eof` returned `error`.
    std::error_code error() const noexcept { return error_; }

    int status_code() const noexcept { return status_code_; }

    /// Whether the connection may carry another request after this response.
    bool keep_alive() const noexcept { return keep_alive_; }

    /// The value of the first field named `name` (any case), without surrounding whitespace;
    /// empty when absent.
    std::string_view header(std::string_view name) const noexcept;

    /// Whether a field named `name` (any case) is present.
    bool has_header(std::string_view name) const noexcept;

    /// The number of header fields.
    std::size_t header_count() const noexcept { return fields_.size(); }

    /// The (decoded) body.
    std::string_view body() const noexcept { return {data_ + body_offset_, body_size_}; }

    /// Bytes of the buffer taken by this response; anything after belongs to the next one.
    std::size_t consumed() const noexcept { return position_; }

    /// Once the header block is parsed: the total number of bytes this response will take when
    /// Content-Length says so, else 0. Lets the reader size its buffer once.
    std::size_t expected_size() const noexcept { return expected_size_; }

  private:
    enum class state {
        status_line,
        header_line,
        fixed_body,
        chunk_size,
        chunk_data,
        chunk_end,
        trailer,
        body_to_eof,
        done,
    };

    struct field {
        std::uint32_t name_offset, name_size, value_offset, value_size;
    };

    status fail(std::error_code error) noexcept;
    bool next_line(std::string_view& line) noexcept;
    bool parse_status_line(std::string_view line) noexcept;
    bool parse_header_line(std::string_view line, std::size_t line_offset);
    bool end_of_headers();
    status parse_chunked() noexcept;
    bool has_token(std::string_view field_name, std::string_view token) const noexcept;

    char* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t position_ = 0;       // first byte not yet consumed
    std::size_t line_scanned_ = 0;   // bytes after position_ already known to hold no '\n'
    std::size_t headers_begin_ = 0;  // where the current status line starts
    state state_ = state::status_line;
    std::error_code error_;

    int status_code_ = 0;
    int minor_version_ = 1;
    bool keep_alive_ = false;
    std::vector<field> fields_;

    std::size_t body_offset_ = 0;
    std::size_t body_size_ = 0;
    std::size_t remaining_ = 0;  // bytes left in a fixed body or the current chunk
    std::size_t expected_size_ = 0;
};

}  // namespace lambdaport::detail
