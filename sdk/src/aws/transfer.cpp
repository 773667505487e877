#include "aws/transfer.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "aws/environment.hpp"

namespace lambdaport::detail::aws {

namespace {

// SHA-256 of no bytes: the payload hash of a request without a body.
constexpr std::string_view empty_sha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Bodies kept in memory (XML answers, error documents); anything larger is not S3 talking.
constexpr std::size_t max_kept_body = 64 * 1024 * 1024;

// Bytes handed to the sink per call, and read per call to the upload callback: large, so a big
// object costs few callbacks and system calls.
constexpr long receive_buffer = 256 * 1024;
constexpr long send_buffer = 512 * 1024;

// No answer to `Expect: 100-continue` within this long: send the body anyway. (curl 7.88.1 asks
// for 100-continue on every PUT with a body, and removing the header with "Expect:" would put an
// empty `expect` into what curl signs.)
constexpr long expect_continue_ms = 300;

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') {
            x = char(x - 'A' + 'a');
        }
        if (y >= 'A' && y <= 'Z') {
            y = char(y - 'A' + 'a');
        }
        if (x != y) {
            return false;
        }
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

}  // namespace

// --- body_source

body_source body_source::memory(std::string_view bytes) {
    body_source source;
    source.bytes_ = bytes;
    source.length_ = bytes.size();
    return source;
}

body_source body_source::file(int fd, std::uint64_t offset, std::uint64_t length) {
    body_source source;
    source.fd_ = fd;
    source.offset_ = offset;
    source.length_ = length;
    return source;
}

bool body_source::seek(std::uint64_t position) noexcept {
    if (position > length_) {
        return false;
    }
    position_ = position;
    return true;
}

std::optional<std::size_t> body_source::read(char* into, std::size_t max) noexcept {
    const std::uint64_t left = length_ - position_;
    const std::size_t want = left < max ? std::size_t(left) : max;
    if (want == 0) {
        return 0;
    }
    if (fd_ < 0) {
        std::memcpy(into, bytes_.data() + position_, want);
        position_ += want;
        return want;
    }
    std::size_t got = 0;
    while (got < want) {
        const ssize_t n = ::pread(fd_, into + got, want - got, off_t(offset_ + position_ + got));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            error_ = std::string("reading the file failed: ") + std::strerror(errno);
            return std::nullopt;
        }
        if (n == 0) {
            error_ = "the file ended early (was it truncated while being uploaded?)";
            return std::nullopt;
        }
        got += std::size_t(n);
    }
    position_ += got;
    return got;
}

// --- transfer

transfer::transfer(const signing& sign, const request& req, sink_type sink)
    : sign_(sign), request_(req), sink_(std::move(sink)), body_(req.body) {
    auto append = [this](const std::string& line) {
        curl_slist* grown = curl_slist_append(headers_, line.c_str());
        if (!grown) {
            curl_slist_free_all(headers_);
            throw std::bad_alloc();
        }
        headers_ = grown;
    };
    for (const auto& line : req.headers) {
        append(line);
    }
    if (sign.enabled) {
        // curl 7.88.1 hashes only CURLOPT_POSTFIELDS itself (a PUT's read callback would be
        // signed as an empty body); given this header, it signs the value given.
        append("x-amz-content-sha256: " +
               (req.payload_sha256.empty() ? std::string(empty_sha256) : req.payload_sha256));
        // curl 7.88.1 knows no session tokens: the header is signed like every custom header.
        if (!sign.session_token.empty()) {
            append("x-amz-security-token: " + sign.session_token);
        }
    }
}

transfer::~transfer() {
    curl_slist_free_all(headers_);
}

void transfer::prepare(CURL* easy) {
    curl_easy_reset(easy);
    answer_ = response{};
    code_ = CURLE_OK;
    sink_error_ = nullptr;
    body_overflow_ = false;
    error_buffer_[0] = '\0';
    body_.rewind();

    curl_easy_setopt(easy, CURLOPT_URL, request_.url.c_str());
    // The path is already in the form SigV4 signs; "/../" in a key is part of the key.
    curl_easy_setopt(easy, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, long(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "lambdaport");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    // A stalled transfer ends; a slow but moving one of any size does not (no total timeout).
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, long(request_.stall_timeout.count()));
    curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, receive_buffer);
    curl_easy_setopt(easy, CURLOPT_UPLOAD_BUFFERSIZE, send_buffer);
    curl_easy_setopt(easy, CURLOPT_EXPECT_100_TIMEOUT_MS, expect_continue_ms);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer_);
    if (const std::string& ca = ca_bundle(); !ca.empty()) {
        curl_easy_setopt(easy, CURLOPT_CAINFO, ca.c_str());
    }
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &transfer::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &transfer::on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);
    if (request_.interrupt) {
        curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &transfer::on_progress);
        curl_easy_setopt(easy, CURLOPT_XFERINFODATA, this);
    }
    if (sign_.enabled) {
        curl_easy_setopt(easy, CURLOPT_AWS_SIGV4, sign_.sigv4.c_str());
        curl_easy_setopt(easy, CURLOPT_USERNAME, sign_.access_key_id.c_str());
        curl_easy_setopt(easy, CURLOPT_PASSWORD, sign_.secret_access_key.c_str());
    }

    const std::string& method = request_.method;
    if (method == "HEAD") {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else if (method == "PUT" || method == "POST") {
        if (method == "PUT") {
            curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(body_.size()));
        } else {
            curl_easy_setopt(easy, CURLOPT_POST, 1L);
            curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body_.size()));
        }
        curl_easy_setopt(easy, CURLOPT_READFUNCTION, &transfer::on_read);
        curl_easy_setopt(easy, CURLOPT_READDATA, this);
        curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, &transfer::on_seek);
        curl_easy_setopt(easy, CURLOPT_SEEKDATA, this);
    } else if (method != "GET") {
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
}

std::string transfer::curl_error() const {
    if (code_ == CURLE_OK) {
        return {};
    }
    std::string text = curl_easy_strerror(code_);
    if (error_buffer_[0] != '\0') {
        text += ": ";
        text += error_buffer_;
        while (!text.empty() && text.back() == '\n') {
            text.pop_back();
        }
    }
    if (body_overflow_) {
        text += " (answer body larger than " + std::to_string(max_kept_body) + " bytes)";
    }
    return text;
}

std::size_t transfer::on_header(char* data, std::size_t size, std::size_t count, void* self) {
    auto* t = static_cast<transfer*>(self);
    const std::size_t n = size * count;
    std::string_view line(data, n);
    if (line.substr(0, 5) == "HTTP/") {
        // A new answer (after `100 Continue`): forget the headers of the previous one.
        const auto space = line.find(' ');
        long status = 0;
        if (space != std::string_view::npos) {
            for (std::size_t i = space + 1; i < line.size() && i < space + 4; ++i) {
                if (line[i] < '0' || line[i] > '9') {
                    status = 0;
                    break;
                }
                status = status * 10 + (line[i] - '0');
            }
        }
        t->answer_ = response{};
        t->answer_.status = status;
        return n;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
        return n;
    }
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    try {
        if (iequals(name, "ETag")) {
            t->answer_.etag = value;
        } else if (iequals(name, "Last-Modified")) {
            t->answer_.last_modified = value;
        } else if (iequals(name, "Content-Type")) {
            t->answer_.content_type = value;
        } else if (iequals(name, "Content-Range")) {
            t->answer_.content_range = value;
        } else if (iequals(name, "Date")) {
            t->answer_.date = value;
        } else if (iequals(name, "Content-Length")) {
            std::uint64_t length = 0;
            bool ok = !value.empty();
            for (char c : value) {
                if (c < '0' || c > '9') {
                    ok = false;
                    break;
                }
                length = length * 10 + std::uint64_t(c - '0');
            }
            if (ok) {
                t->answer_.content_length = length;
            }
        } else if ((name.size() > 7 && iequals(name.substr(0, 7), "x-amzn-")) ||
                   (name.size() > 6 && iequals(name.substr(0, 6), "x-amz-"))) {
            std::string lower(name);
            for (char& c : lower) {
                c = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
            }
            t->answer_.amzn_headers.emplace_back(std::move(lower), std::string(value));
        }
    } catch (...) {
        return 0;  // out of memory: curl stops the transfer
    }
    return n;
}

std::size_t transfer::on_body(char* data, std::size_t size, std::size_t count, void* self) {
    auto* t = static_cast<transfer*>(self);
    const std::size_t n = size * count;
    const long status = t->answer_.status;
    if (status >= 200 && status < 300 && t->sink_) {
        try {
            t->sink_(std::string_view(data, n));
        } catch (...) {
            t->sink_error_ = std::current_exception();
            return 0;  // curl stops with CURLE_WRITE_ERROR; the exception is rethrown later
        }
        return n;
    }
    if (t->answer_.body.size() + n > max_kept_body) {
        t->body_overflow_ = true;
        return 0;
    }
    try {
        t->answer_.body.append(data, n);
    } catch (...) {
        t->sink_error_ = std::current_exception();
        return 0;
    }
    return n;
}

std::size_t transfer::on_read(char* into, std::size_t size, std::size_t count, void* self) {
    auto* t = static_cast<transfer*>(self);
    auto n = t->body_.read(into, size * count);
    return n ? *n : std::size_t(CURL_READFUNC_ABORT);
}

int transfer::on_seek(void* self, curl_off_t offset, int origin) {
    auto* t = static_cast<transfer*>(self);
    if (origin != SEEK_SET || offset < 0) {
        return CURL_SEEKFUNC_CANTSEEK;
    }
    return t->body_.seek(std::uint64_t(offset)) ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL;
}

int transfer::on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* t = static_cast<transfer*>(self);
    return t->request_.interrupt->load() ? 1 : 0;
}

bool retryable_transport(CURLcode code) {
    switch (code) {
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_PARTIAL_FILE:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_GOT_NOTHING:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_HTTP3:
            return true;
        default:
            return false;
    }
}

}  // namespace lambdaport::detail::aws
