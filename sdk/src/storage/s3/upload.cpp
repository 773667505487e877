#include "storage/s3/upload.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "storage/aws.hpp"
#include "storage/s3/client.hpp"
#include "storage/s3/multipart.hpp"

namespace lambdaport::storage::detail::s3 {

namespace {

constexpr std::uint64_t max_parts = 10000;
constexpr std::uint64_t mebibyte = 1024 * 1024;

// The Content-Type to send: S3 would store binary/octet-stream when none is sent.
std::string content_type_of(const operation& op, const put_options& options) {
    for (char c : options.content_type) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
            throw client_error(op, "InvalidArgument", 400,
                               "put_options.content_type contains a control character");
        }
    }
    return options.content_type.empty() ? "application/octet-stream" : options.content_type;
}

object_info put_single(client& c, const std::string& bucket, const std::string& key,
                       body_source body, std::string sha256, const std::string& content_type) {
    const operation op{"PutObject", bucket, key};
    request req;
    req.method = "PUT";
    req.url = c.where().url(bucket, key);
    req.headers.push_back("Content-Type: " + content_type);
    req.body = body;
    req.payload_sha256 = std::move(sha256);
    const response answer = c.send_ok(op, req);
    object_info info = info_from_headers(answer, key);
    info.size = body.size();
    info.content_type = content_type;  // the answer's Content-Type is the answer's own
    return info;
}

class file_descriptor {
  public:
    explicit file_descriptor(int fd) : fd_(fd) {}
    ~file_descriptor() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    file_descriptor(const file_descriptor&) = delete;
    file_descriptor& operator=(const file_descriptor&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

// Hex SHA-256 of `length` bytes of `fd` from `offset`, read a MiB at a time.
std::string file_sha256(int fd, std::uint64_t offset, std::uint64_t length, std::string& buffer,
                        const operation& op, const std::filesystem::path& path) {
    digest hash(digest::algorithm::sha256);
    buffer.resize(mebibyte);
    while (length > 0) {
        const std::size_t want = std::size_t(std::min<std::uint64_t>(length, buffer.size()));
        const ssize_t n = ::pread(fd, buffer.data(), want, off_t(offset));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            throw client_error(
                op, "LocalIOError", 0,
                path.string() + ": " + (n < 0 ? std::strerror(errno) : "the file ended early"));
        }
        hash.update(std::string_view(buffer.data(), std::size_t(n)));
        offset += std::uint64_t(n);
        length -= std::uint64_t(n);
    }
    return to_hex(hash.finish());
}

class writer final : public upload {
  public:
    writer(std::shared_ptr<client> c, std::string bucket, std::string key, std::string content_type)
        : client_(std::move(c)),
          bucket_(std::move(bucket)),
          key_(std::move(key)),
          content_type_(std::move(content_type)),
          threshold_(client_->options().multipart_threshold),
          part_size_(client_->options().part_size),
          max_concurrency_(client_->options().max_concurrency) {}

    void write(std::string_view bytes) override {
        if (!multipart_) {
            if (buffer_.size() + bytes.size() <= threshold_) {
                if (buffer_.size() + bytes.size() > buffer_.capacity()) {
                    buffer_.reserve(std::size_t(std::min<std::uint64_t>(
                        threshold_,
                        std::max(2 * buffer_.capacity(), buffer_.size() + bytes.size()))));
                }
                buffer_.append(bytes);
                return;
            }
            multipart_ = std::make_unique<multipart_upload>(client_, bucket_, key_, content_type_);
            if (buffer_.size() <= part_size_) {
                // What is held becomes the start of the first part, without a copy.
                current_ = std::move(buffer_);
                buffer_ = std::string();
                total_ = current_.size();
            } else {
                const std::string held = std::move(buffer_);
                buffer_ = std::string();
                feed(held);
            }
        }
        feed(bytes);
    }

    object_info complete() override {
        if (!multipart_) {
            std::string sha256 = client_->sign().enabled ? sha256_hex(buffer_) : std::string();
            return put_single(*client_, bucket_, key_, body_source::memory(buffer_),
                              std::move(sha256), content_type_);
        }
        if (!current_.empty()) {
            send_current();
        }
        return multipart_->complete(total_);
    }

    void abort() noexcept override {
        if (multipart_) {
            multipart_->abort();
        }
        buffer_ = std::string();
        current_ = std::string();
    }

  private:
    void feed(std::string_view bytes) {
        total_ += bytes.size();
        while (!bytes.empty()) {
            if (current_.capacity() < part_size_) {
                current_.reserve(std::size_t(part_size_));
            }
            const std::size_t room = std::size_t(part_size_) - current_.size();
            const std::size_t n = std::min(room, bytes.size());
            current_.append(bytes.substr(0, n));
            bytes.remove_prefix(n);
            if (current_.size() == part_size_) {
                send_current();
            }
        }
    }

    void send_current() {
        if (next_part_ > int(max_parts)) {
            throw client_error({"UploadPart", bucket_, key_}, "EntityTooLarge", 400,
                               "more than 10000 parts of part_size " + std::to_string(part_size_) +
                                   " bytes: use a larger store_options.part_size");
        }
        part p;
        p.number = next_part_++;
        if (client_->sign().enabled) {
            p.sha256 = sha256_hex(current_);
        }
        p.owned = std::move(current_);
        current_ = std::string();
        // The buffer filled next counts as one of max_concurrency: the writer holds at most
        // part_size × max_concurrency (two buffers when max_concurrency is 1).
        multipart_->submit(std::move(p), std::max(1, max_concurrency_ - 1));
        current_ = multipart_->spare_buffer();
    }

    std::shared_ptr<client> client_;
    std::string bucket_;
    std::string key_;
    std::string content_type_;
    std::uint64_t threshold_;
    std::uint64_t part_size_;
    int max_concurrency_;
    std::string buffer_;   // everything written, while it fits under the threshold
    std::string current_;  // the part being filled, once multipart
    std::unique_ptr<multipart_upload> multipart_;
    std::uint64_t total_ = 0;  // bytes fed into parts
    int next_part_ = 1;
};

}  // namespace

std::uint64_t part_size_for(std::uint64_t size, std::uint64_t preferred) {
    const std::uint64_t needed = (size + max_parts - 1) / max_parts;
    if (needed <= preferred) {
        return preferred;
    }
    return (needed + mebibyte - 1) / mebibyte * mebibyte;
}

object_info put_bytes(const std::shared_ptr<client>& c, const std::string& bucket,
                      const std::string& key, std::string_view bytes, const put_options& options) {
    const operation op{"PutObject", bucket, key};
    check_key(op);
    const std::string content_type = content_type_of(op, options);
    const bool sign = c->sign().enabled;
    if (bytes.size() <= c->options().multipart_threshold) {
        return put_single(*c, bucket, key, body_source::memory(bytes),
                          sign ? sha256_hex(bytes) : std::string(), content_type);
    }
    const std::uint64_t part_size = part_size_for(bytes.size(), c->options().part_size);
    multipart_upload upload(c, bucket, key, content_type);
    int number = 1;
    for (std::uint64_t offset = 0; offset < bytes.size(); offset += part_size, ++number) {
        part p;
        p.number = number;
        p.body = body_source::memory(bytes.substr(std::size_t(offset), std::size_t(part_size)));
        if (sign) {
            p.sha256 = sha256_hex(p.body.bytes());
        }
        upload.submit(std::move(p));
    }
    return upload.complete(bytes.size());
}

object_info put_file(const std::shared_ptr<client>& c, const std::string& bucket,
                     const std::string& key, const std::filesystem::path& file,
                     const put_options& options) {
    const operation op{"PutObject", bucket, key};
    check_key(op);
    file_descriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        throw client_error(op, "LocalIOError", 0, file.string() + ": " + std::strerror(errno));
    }
    struct stat status {};
    if (::fstat(fd.get(), &status) != 0) {
        throw client_error(op, "LocalIOError", 0, file.string() + ": " + std::strerror(errno));
    }
    if (!S_ISREG(status.st_mode)) {
        throw client_error(op, "LocalIOError", 0, file.string() + ": not a regular file");
    }
    const auto size = std::uint64_t(status.st_size);
    const std::string content_type = content_type_of(op, options);
    const bool sign = c->sign().enabled;
    std::string buffer;
    if (size <= c->options().multipart_threshold) {
        std::string sha256 = sign ? file_sha256(fd.get(), 0, size, buffer, op, file) : "";
        return put_single(*c, bucket, key, body_source::file(fd.get(), 0, size), std::move(sha256),
                          content_type);
    }
    const std::uint64_t part_size = part_size_for(size, c->options().part_size);
    // Declared after `fd`, so destroyed (aborted, its parts stopped) before the file is closed.
    multipart_upload upload(c, bucket, key, content_type);
    int number = 1;
    for (std::uint64_t offset = 0; offset < size; offset += part_size, ++number) {
        const std::uint64_t length = std::min(part_size, size - offset);
        part p;
        p.number = number;
        p.body = body_source::file(fd.get(), offset, length);
        if (sign) {
            p.sha256 = file_sha256(fd.get(), offset, length, buffer, op, file);
        }
        upload.submit(std::move(p));
    }
    return upload.complete(size);
}

std::unique_ptr<upload> start_writer(const std::shared_ptr<client>& c, const std::string& bucket,
                                     const std::string& key, const put_options& options) {
    const operation op{"PutObject", bucket, key};
    check_key(op);
    return std::make_unique<writer>(c, bucket, key, content_type_of(op, options));
}

}  // namespace lambdaport::storage::detail::s3
