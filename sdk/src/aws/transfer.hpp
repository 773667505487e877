#pragma once

// One HTTP exchange with an AWS service (or a stand-in: MinIO, moto, ...) on a libcurl easy handle:
// the request (signed by curl's SigV4), the answer's status, headers and body. Shared by the SDK's
// service clients (storage's S3 backend, SQS). Nothing here retries or decides what an answer
// means; no exception ever crosses a libcurl callback (the sink's is kept and handed back after the
// transfer).

#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lambdaport::detail::aws {

/// How every request of one store is signed.
struct signing {
    /// False: anonymous requests (no access key).
    bool enabled = false;
    /// CURLOPT_AWS_SIGV4: "aws:amz:<region>:<service>".
    std::string sigv4;
    std::string access_key_id;
    std::string secret_access_key;
    /// Sent (and signed) as `x-amz-security-token` when not empty.
    std::string session_token;
};

/// Where a request's body comes from: nothing, memory, or a range of an open file. Readable again
/// from the start, so a failed request can be sent again.
class body_source {
  public:
    body_source() = default;
    static body_source memory(std::string_view bytes);
    static body_source file(int fd, std::uint64_t offset, std::uint64_t length);

    std::uint64_t size() const noexcept { return length_; }
    bool is_file() const noexcept { return fd_ >= 0; }
    /// The bytes of a memory body.
    std::string_view bytes() const noexcept { return bytes_; }

    void rewind() noexcept { position_ = 0; }
    bool seek(std::uint64_t position) noexcept;
    /// Copies up to `max` of the next bytes into `into`; returns how many (0 at the end).
    /// Nothing on a read error, whose text `error()` then gives.
    std::optional<std::size_t> read(char* into, std::size_t max) noexcept;
    const std::string& error() const noexcept { return error_; }

  private:
    std::string_view bytes_;
    int fd_ = -1;
    std::uint64_t offset_ = 0;
    std::uint64_t length_ = 0;
    std::uint64_t position_ = 0;
    std::string error_;
};

/// One request.
struct request {
    /// GET, HEAD, PUT, POST or DELETE.
    std::string method = "GET";
    std::string url;
    /// "Name: value" lines. curl 7.88.1 signs every one of them, so none may be empty or a curl
    /// "remove this header" line, and no name may be a prefix of another's followed by '-'
    /// (curl sorts "name:value" strings, AWS sorts names: `x-amz-copy-source` and
    /// `x-amz-copy-source-if-match` would be signed in the wrong order).
    std::vector<std::string> headers;
    body_source body;
    /// Hex SHA-256 of the body, sent as `x-amz-content-sha256` when signing; empty = the hash of
    /// no bytes.
    std::string payload_sha256;
    /// When set and it becomes true, the transfer stops within about a second with
    /// CURLE_ABORTED_BY_CALLBACK (a long poll given up because its owner is stopping).
    const std::atomic<bool>* interrupt = nullptr;
    /// A transfer moving less than 1 KB/s for this long ends with CURLE_OPERATION_TIMEDOUT. Calls
    /// whose answer may rightly take long to start (a synchronous Lambda invoke) raise it.
    std::chrono::seconds stall_timeout{60};
};

/// What came back (the last answer, when curl saw several: `100 Continue` is skipped).
struct response {
    long status = 0;
    std::string etag;
    std::string last_modified;
    std::string content_type;
    std::string content_range;
    std::string date;
    std::optional<std::uint64_t> content_length;
    /// `x-amzn-*` headers (error types of the JSON protocols, request ids) and `x-amz-*` ones
    /// (Lambda's function error, executed version and log tail; S3's request ids), names in lower
    /// case, in the order received.
    std::vector<std::pair<std::string, std::string>> amzn_headers;
    /// The body, unless a sink took it (error bodies always land here).
    std::string body;
};

class transfer {
  public:
    /// Receives the body of a 2xx answer, piece by piece, instead of `response::body`.
    using sink_type = std::function<void(std::string_view)>;

    transfer(const signing& sign, const request& req, sink_type sink = {});
    ~transfer();
    transfer(const transfer&) = delete;
    transfer& operator=(const transfer&) = delete;

    /// Sets `easy` up to send the request from its beginning (the body rewound, any earlier
    /// answer forgotten).
    void prepare(CURL* easy);
    /// Records how curl ended the transfer prepared last.
    void finish(CURLcode code) noexcept { code_ = code; }

    CURLcode code() const noexcept { return code_; }
    /// curl's own words for what went wrong (empty when nothing did).
    std::string curl_error() const;
    const response& answer() const noexcept { return answer_; }
    response& answer() noexcept { return answer_; }
    /// What the sink threw, if it did (the transfer then stopped).
    std::exception_ptr sink_error() const noexcept { return sink_error_; }
    /// The body could not be read (a file failed): the text, else empty.
    const std::string& body_error() const noexcept { return body_.error(); }
    const request& req() const noexcept { return request_; }

  private:
    static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self);
    static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self);
    static std::size_t on_read(char* into, std::size_t size, std::size_t count, void* self);
    static int on_seek(void* self, curl_off_t offset, int origin);
    static int on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t);

    const signing& sign_;
    const request& request_;
    sink_type sink_;
    body_source body_;
    curl_slist* headers_ = nullptr;
    response answer_;
    CURLcode code_ = CURLE_OK;
    std::exception_ptr sink_error_;
    bool body_overflow_ = false;
    char error_buffer_[CURL_ERROR_SIZE] = {};
};

/// Whether a transfer that ended with `code` (no complete answer) may succeed when tried again:
/// refused, reset or dropped connections, timeouts, a body cut short.
bool retryable_transport(CURLcode code);

}  // namespace lambdaport::detail::aws
