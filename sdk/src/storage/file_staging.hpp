#pragma once

// How the local-disk backend makes objects appear whole and at once: every write goes to a
// uniquely named file in the root's temp directory (same file system, and a name no bucket can
// have), which is then renamed over the object's path. A reader, a listing or an inotify watch on
// the bucket (IN_MOVED_TO) never sees a partial object.

#include <sys/stat.h>

#include <chrono>
#include <string>
#include <string_view>

#include "storage/file_io.hpp"

namespace lambdaport::storage::detail {

/// The temp directory's name in the root (bucket names cannot start with '.').
inline constexpr std::string_view staging_directory_name = ".lambdaport-tmp";

/// An object being written. Use from one thread at a time.
class staged_file {
  public:
    /// Creates a new empty file in `temp_dir`. Throws storage_error "LocalIOError".
    explicit staged_file(const std::string& temp_dir);
    /// Removes the file unless it was published.
    ~staged_file();
    staged_file(const staged_file&) = delete;
    staged_file& operator=(const staged_file&) = delete;

    int fd() const noexcept { return fd_.get(); }
    const std::string& path() const noexcept { return path_; }

    void write(std::string_view bytes);
    /// fstat of the file as written so far.
    struct stat status() const;

    /// Closes the file and renames it to `key` below `bucket_dir`, creating the folders the key
    /// needs. Throws storage_error: "NoSuchBucket" when the bucket directory is gone,
    /// "InvalidObjectKey" when the key collides with a folder of other keys or one of its folders
    /// is an object, "LocalIOError"/"AccessDenied" when the file system fails.
    void publish(const std::string& bucket_dir, const std::string& bucket, const std::string& key);

    /// Closes and removes the file, if not published.
    void discard() noexcept;

  private:
    std::string path_;
    unique_fd fd_;
    bool done_ = false;
};

/// Removes regular files in `temp_dir` not modified for `age`: leftovers of crashed writers.
void remove_stale_staged_files(const std::string& temp_dir, std::chrono::seconds age) noexcept;

/// Removes the folders of `key` below `bucket_dir` that are now empty, deepest first, so a
/// deleted "a/b" lets "a" be stored as an object again. Never removes the bucket directory.
void remove_empty_folders(const std::string& bucket_dir, const std::string& key) noexcept;

/// Whether `path` is a directory (following symbolic links).
bool is_directory(const std::string& path) noexcept;

/// storage_error "NoSuchBucket" (404).
[[noreturn]] void throw_no_such_bucket(const std::string& bucket);

}  // namespace lambdaport::storage::detail
