#pragma once

// System-call plumbing for the local-disk backend: an owned file descriptor, whole reads and
// writes that survive EINTR and short transfers, and the storage_error a failed call becomes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lambdaport::storage::detail {

/// Bytes moved per read or write: large enough for throughput, small enough to stream.
inline constexpr std::size_t io_chunk_bytes = 1024 * 1024;

/// An open file descriptor, closed on destruction.
class unique_fd {
  public:
    unique_fd() = default;
    explicit unique_fd(int fd) noexcept : fd_(fd) {}
    unique_fd(unique_fd&& other) noexcept : fd_(other.release()) {}
    unique_fd& operator=(unique_fd&& other) noexcept;
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    ~unique_fd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    int release() noexcept;
    void reset() noexcept;

  private:
    int fd_ = -1;
};

/// Throws the storage_error for a failed system call: "AccessDenied" (403) for EACCES and EPERM,
/// "LocalIOError" (status 0) for anything else. The message is `what` + ": " + the reason.
[[noreturn]] void throw_system_error(int error, const std::string& what,
                                     const std::string& bucket = {}, const std::string& key = {});

/// Writes all of `bytes` to `fd` at its current offset; `path` names the file in errors.
void write_all(int fd, std::string_view bytes, const std::string& path);

/// Reads up to `size` bytes at `offset`; returns 0 at the end of the file.
std::size_t read_at(int fd, char* buffer, std::size_t size, std::uint64_t offset,
                    const std::string& path);

}  // namespace lambdaport::storage::detail
