#include "storage/file_staging.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <ctime>
#include <random>

#include "lambdaport/storage.hpp"
#include "storage/file_names.hpp"

namespace lambdaport::storage::detail {

namespace {

// Renames and folder creation retry this often when a concurrent remove deletes a folder they
// just made (remove_empty_folders in another thread or process).
constexpr int max_attempts = 16;

// A name no other writer, in this process or another sharing the root, will pick: the pid, a
// per-process counter and random bits (the pid alone repeats across containers).
std::string unique_name() {
    static std::atomic<std::uint64_t> counter{0};
    static const std::uint64_t salt = [] {
        std::random_device device;
        return (std::uint64_t{device()} << 32) ^ device();
    }();
    thread_local std::mt19937_64 random(salt ^ counter.fetch_add(1));
    return std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)) + "-" +
           std::to_string(random()) + ".part";
}

[[noreturn]] void throw_parent_is_object(const std::string& bucket, const std::string& key,
                                         const std::string& parent) {
    throw storage_error("InvalidObjectKey", 400,
                        "key " + quote_name(key) + " in bucket " + quote_name(bucket) +
                            " cannot be stored on local disk: " + quote_name(parent) +
                            " is an object, and a file cannot also be a folder of other keys",
                        bucket, key);
}

[[noreturn]] void throw_key_is_folder(const std::string& bucket, const std::string& key) {
    throw storage_error("InvalidObjectKey", 400,
                        "key " + quote_name(key) + " in bucket " + quote_name(bucket) +
                            " cannot be stored on local disk: keys under " + quote_name(key + "/") +
                            " exist, and a folder of keys cannot also be a file",
                        bucket, key);
}

// The first folder of `key` that exists and is not a directory ("a" for "a/b/c" when the object
// "a" exists); empty when there is none (any more).
std::string object_among_folders(const std::string& bucket_dir, const std::string& key) {
    for (std::size_t slash = key.find('/'); slash != std::string::npos;
         slash = key.find('/', slash + 1)) {
        const std::string folder = key.substr(0, slash);
        struct stat st {};
        if (::stat((bucket_dir + "/" + folder).c_str(), &st) != 0) {
            return {};
        }
        if (!S_ISDIR(st.st_mode)) {
            return folder;
        }
    }
    return {};
}

[[noreturn]] void throw_not_a_folder(const std::string& bucket_dir, const std::string& bucket,
                                     const std::string& key) {
    const std::string parent = object_among_folders(bucket_dir, key);
    if (!parent.empty()) {
        throw_parent_is_object(bucket, key, parent);
    }
    throw_system_error(ENOTDIR,
                       "cannot store key " + quote_name(key) + " in bucket " + quote_name(bucket),
                       bucket, key);
}

// Creates the folders `key` needs below `bucket_dir`. False when one vanished meanwhile (a
// concurrent remove of their last key): the caller tries again.
bool make_folders(const std::string& bucket_dir, const std::string& bucket,
                  const std::string& key) {
    for (std::size_t slash = key.find('/'); slash != std::string::npos;
         slash = key.find('/', slash + 1)) {
        const std::string folder = bucket_dir + "/" + key.substr(0, slash);
        if (::mkdir(folder.c_str(), 0777) == 0) {
            continue;
        }
        const int error = errno;
        if (error == EEXIST) {
            struct stat st {};
            if (::stat(folder.c_str(), &st) != 0) {
                return false;
            }
            if (!S_ISDIR(st.st_mode)) {
                throw_parent_is_object(bucket, key, key.substr(0, slash));
            }
            continue;
        }
        if (error == ENOENT) {
            if (!is_directory(bucket_dir)) {
                throw_no_such_bucket(bucket);
            }
            return false;
        }
        if (error == ENOTDIR) {
            throw_not_a_folder(bucket_dir, bucket, key);
        }
        throw_system_error(error, "cannot create folder " + folder, bucket, key);
    }
    return true;
}

}  // namespace

staged_file::staged_file(const std::string& temp_dir) {
    for (int attempt = 0;; ++attempt) {
        path_ = temp_dir + "/" + unique_name();
        // 0666 less the umask, as any file a program creates: objects are not made private.
        const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            fd_ = unique_fd(fd);
            return;
        }
        const int error = errno;
        if (attempt < max_attempts && error == ENOENT) {
            ::mkdir(temp_dir.c_str(), 0777);  // removed by hand while we run: make it again
            continue;
        }
        if (attempt < max_attempts && error == EEXIST) {
            continue;
        }
        done_ = true;  // nothing to remove
        throw_system_error(error, "cannot create a temporary file in " + temp_dir);
    }
}

staged_file::~staged_file() {
    discard();
}

void staged_file::write(std::string_view bytes) {
    write_all(fd_.get(), bytes, path_);
}

struct stat staged_file::status() const {
    struct stat st {};
    if (::fstat(fd_.get(), &st) != 0) {
        throw_system_error(errno, "cannot stat " + path_);
    }
    return st;
}

void staged_file::publish(const std::string& bucket_dir, const std::string& bucket,
                          const std::string& key) {
    // Closed before the rename: a watcher on the bucket then sees IN_MOVED_TO and nothing else.
    if (::close(fd_.release()) != 0) {
        throw_system_error(errno, "cannot write " + path_, bucket, key);
    }
    const std::string target = bucket_dir + "/" + key;
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
        if (::rename(path_.c_str(), target.c_str()) == 0) {
            done_ = true;
            return;
        }
        const int error = errno;
        switch (error) {
            case ENOENT:
                if (::access(path_.c_str(), F_OK) != 0) {
                    throw_system_error(error, "temporary file " + path_ + " vanished", bucket, key);
                }
                if (!is_directory(bucket_dir)) {
                    throw_no_such_bucket(bucket);
                }
                make_folders(bucket_dir, bucket, key);
                break;
            case EISDIR:
            case EEXIST:
            case ENOTEMPTY:
                // A folder is in the way. One left empty (by a foreign tool) holds no keys, so
                // it goes, as S3 would have nothing there.
                if (::rmdir(target.c_str()) != 0 && errno != ENOENT) {
                    throw_key_is_folder(bucket, key);
                }
                break;
            case ENOTDIR:
                throw_not_a_folder(bucket_dir, bucket, key);
            case EXDEV:
                throw storage_error("LocalIOError", 0,
                                    "cannot store key " + quote_name(key) + ": bucket directory " +
                                        bucket_dir +
                                        " is on another file system than the storage root, so "
                                        "objects cannot be moved into it atomically",
                                    bucket, key);
            default:
                throw_system_error(error, "cannot rename " + path_ + " to " + target, bucket, key);
        }
    }
    throw storage_error("LocalIOError", 0,
                        "cannot store key " + quote_name(key) + " in bucket " + quote_name(bucket) +
                            ": its folders keep disappearing (concurrent removes)",
                        bucket, key);
}

void staged_file::discard() noexcept {
    fd_.reset();
    if (!done_) {
        ::unlink(path_.c_str());
        done_ = true;
    }
}

void remove_stale_staged_files(const std::string& temp_dir, std::chrono::seconds age) noexcept {
    DIR* dir = ::opendir(temp_dir.c_str());
    if (dir == nullptr) {
        return;
    }
    const std::time_t cutoff = std::time(nullptr) - static_cast<std::time_t>(age.count());
    while (const dirent* entry = ::readdir(dir)) {
        struct stat st {};
        if (::fstatat(::dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(st.st_mode) && st.st_mtim.tv_sec < cutoff) {
            ::unlinkat(::dirfd(dir), entry->d_name, 0);
        }
    }
    ::closedir(dir);
}

void remove_empty_folders(const std::string& bucket_dir, const std::string& key) noexcept {
    try {
        for (std::size_t slash = key.rfind('/'); slash != std::string::npos && slash > 0;
             slash = key.rfind('/', slash - 1)) {
            if (::rmdir((bucket_dir + "/" + key.substr(0, slash)).c_str()) != 0) {
                return;  // not empty (or already gone): the folders above are not empty either
            }
        }
    } catch (...) {
        // Out of memory building a path: the folders stay, which is harmless.
    }
}

bool is_directory(const std::string& path) noexcept {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void throw_no_such_bucket(const std::string& bucket) {
    throw storage_error("NoSuchBucket", 404, "bucket " + quote_name(bucket) + " does not exist",
                        bucket);
}

}  // namespace lambdaport::storage::detail
