#include "storage/file_io.hpp"

#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "lambdaport/storage.hpp"

namespace lambdaport::storage::detail {

unique_fd& unique_fd::operator=(unique_fd&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = other.release();
    }
    return *this;
}

int unique_fd::release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
}

void unique_fd::reset() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

void throw_system_error(int error, const std::string& what, const std::string& bucket,
                        const std::string& key) {
    // std::system_category().message is thread-safe, unlike strerror.
    const std::string message = what + ": " + std::system_category().message(error);
    if (error == EACCES || error == EPERM) {
        throw storage_error("AccessDenied", 403, message, bucket, key);
    }
    throw storage_error("LocalIOError", 0, message, bucket, key);
}

void write_all(int fd, std::string_view bytes, const std::string& path) {
    while (!bytes.empty()) {
        const std::size_t size = bytes.size() < io_chunk_bytes ? bytes.size() : io_chunk_bytes;
        const ssize_t written = ::write(fd, bytes.data(), size);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_system_error(errno, "cannot write " + path);
        }
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
}

std::size_t read_at(int fd, char* buffer, std::size_t size, std::uint64_t offset,
                    const std::string& path) {
    for (;;) {
        const ssize_t got = ::pread(fd, buffer, size, static_cast<off_t>(offset));
        if (got >= 0) {
            return static_cast<std::size_t>(got);
        }
        if (errno != EINTR) {
            throw_system_error(errno, "cannot read " + path);
        }
    }
}

}  // namespace lambdaport::storage::detail
