// The local-disk backend: bucket B is the directory root/B, key "a/b/c" the file root/B/a/b/c.
// It answers as S3 would — same error codes and statuses, same ETags for the same bytes uploaded
// the same way, same listing order and paging — so code and tests run unchanged on either.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>
#include <system_error>

#include "storage/backend.hpp"
#include "storage/file_io.hpp"
#include "storage/file_listing.hpp"
#include "storage/file_metadata.hpp"
#include "storage/file_names.hpp"
#include "storage/file_staging.hpp"

namespace lambdaport::storage::detail {

namespace {

// S3's CopyObject limit; larger objects need a multipart copy, which S3 does not do for you.
constexpr std::uint64_t max_copy_bytes = 5ULL * 1024 * 1024 * 1024;

// Temp files older than this at start-up were left by a writer that crashed.
constexpr std::chrono::hours stale_staging_age{1};

object_info to_object_info(std::string key, file_metadata metadata) {
    object_info info;
    info.key = std::move(key);
    info.size = metadata.size;
    info.etag = std::move(metadata.etag);
    info.last_modified = to_time_point(metadata.mtime_ns);
    info.content_type = std::move(metadata.content_type);
    return info;
}

std::string content_type_or_default(const std::string& content_type) {
    return content_type.empty() ? std::string(default_content_type) : content_type;
}

[[noreturn]] void throw_no_such_key(const std::string& bucket, const std::string& key) {
    throw storage_error(
        "NoSuchKey", 404,
        "key " + quote_name(key) + " does not exist in bucket " + quote_name(bucket), bucket, key);
}

// Stores the metadata in the staged file and moves it into place.
object_info publish(staged_file& staged, etag_builder& etag, const std::string& bucket_dir,
                    const std::string& bucket, const std::string& key, std::string content_type) {
    const struct stat st = staged.status();
    file_metadata metadata{static_cast<std::uint64_t>(st.st_size), mtime_ns(st), etag.finish(),
                           std::move(content_type)};
    // A file system without user attributes (tmpfs before Linux 6.6, some overlays) loses the
    // content type and has the ETag recomputed on each look; the object itself is fine.
    save_metadata(staged.fd(), metadata);
    staged.publish(bucket_dir, bucket, key);
    return to_object_info(key, std::move(metadata));
}

// A streamed upload: bytes go straight to the staged file, hashed on the way.
class file_upload final : public upload {
  public:
    file_upload(const std::string& temp_dir, std::string bucket_dir, std::string bucket,
                std::string key, std::string content_type, const store_options& options)
        : staged_(temp_dir),
          etag_(options.multipart_threshold, options.part_size),
          bucket_dir_(std::move(bucket_dir)),
          bucket_(std::move(bucket)),
          key_(std::move(key)),
          content_type_(std::move(content_type)) {}

    void write(std::string_view bytes) override {
        staged_.write(bytes);
        etag_.update(bytes);
    }

    object_info complete() override {
        return publish(staged_, etag_, bucket_dir_, bucket_, key_, std::move(content_type_));
    }

    void abort() noexcept override { staged_.discard(); }

  private:
    staged_file staged_;
    etag_builder etag_;
    std::string bucket_dir_;
    std::string bucket_;
    std::string key_;
    std::string content_type_;
};

class file_backend final : public backend {
  public:
    file_backend(std::string root, const store_options& options)
        : root_(std::move(root)),
          temp_dir_(root_ + "/" + std::string(staging_directory_name)),
          options_(options) {}

    std::string describe() const override { return "file://" + (root_.empty() ? "/" : root_); }

    object_info get(const std::string& bucket, const std::string& key,
                    const std::function<void(std::string_view)>& sink,
                    std::optional<byte_range> range) override {
        const std::string dir = bucket_dir(bucket);
        check_object_key(bucket, key);
        const std::string path = dir + "/" + key;
        const unique_fd fd = open_object(dir, path, bucket, key);
        const struct stat st = object_status(fd.get(), path, bucket, key);
        const std::uint64_t size = static_cast<std::uint64_t>(st.st_size);

        std::uint64_t first = 0;
        std::uint64_t end = size;
        // A range that ends before it starts is not a valid Range header: S3 ignores it and
        // answers with the whole object.
        if (range && !(range->last && *range->last < range->first)) {
            if (range->first >= size) {
                throw storage_error("InvalidRange", 416,
                                    "range from byte " + std::to_string(range->first) +
                                        " is past the end of key " + quote_name(key) +
                                        " in bucket " + quote_name(bucket) + " (" +
                                        std::to_string(size) + " bytes)",
                                    bucket, key);
            }
            first = range->first;
            // `last` past the end (even the largest value, which + 1 would wrap) means the end.
            end = range->last && *range->last < size - 1 ? *range->last + 1 : size;
        }

        std::optional<file_metadata> metadata = cached_metadata(fd.get(), st);
        if (!metadata && (first != 0 || end != size)) {
            metadata = current_metadata(fd.get(), st, path);
        }
        // A whole read of a file without valid metadata hashes it on the way instead of
        // reading it twice.
        std::optional<etag_builder> etag;
        if (!metadata) {
            etag.emplace();
        }
        const auto buffer = std::make_unique<char[]>(io_chunk_bytes);
        for (std::uint64_t offset = first; offset < end;) {
            const std::size_t want =
                static_cast<std::size_t>(std::min<std::uint64_t>(end - offset, io_chunk_bytes));
            const std::size_t got = read_at(fd.get(), buffer.get(), want, offset, path);
            if (got == 0) {
                throw storage_error("LocalIOError", 0,
                                    "key " + quote_name(key) + " in bucket " + quote_name(bucket) +
                                        " shrank while being read (file " + path +
                                        " changed in place by another program)",
                                    bucket, key);
            }
            const std::string_view piece(buffer.get(), got);
            if (etag) {
                etag->update(piece);
            }
            sink(piece);
            offset += got;
        }
        if (!metadata) {
            metadata = file_metadata{size, mtime_ns(st), etag->finish(),
                                     std::string(default_content_type)};
            cache_metadata_if_unchanged(fd.get(), *metadata);
        }
        return to_object_info(key, std::move(*metadata));
    }

    object_info put(const std::string& bucket, const std::string& key, std::string_view bytes,
                    const put_options& options) override {
        const std::string dir = existing_bucket_dir(bucket);
        check_object_key(bucket, key);
        staged_file staged(temp_dir_);
        etag_builder etag(options_.multipart_threshold, options_.part_size);
        staged.write(bytes);
        etag.update(bytes);
        return publish(staged, etag, dir, bucket, key,
                       content_type_or_default(options.content_type));
    }

    object_info put_file(const std::string& bucket, const std::string& key,
                         const std::filesystem::path& file, const put_options& options) override {
        const std::string dir = existing_bucket_dir(bucket);
        check_object_key(bucket, key);
        const std::string source = file.string();
        const unique_fd fd(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) {
            throw_system_error(errno, "cannot read " + source + " to upload it", bucket, key);
        }
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0) {
            throw_system_error(errno, "cannot stat " + source, bucket, key);
        }
        if (!S_ISREG(st.st_mode)) {
            throw storage_error("LocalIOError", 0,
                                "cannot upload " + source + ": not a regular file", bucket, key);
        }
        staged_file staged(temp_dir_);
        etag_builder etag(options_.multipart_threshold, options_.part_size);
        const auto buffer = std::make_unique<char[]>(io_chunk_bytes);
        for (std::uint64_t offset = 0;;) {
            const std::size_t got = read_at(fd.get(), buffer.get(), io_chunk_bytes, offset, source);
            if (got == 0) {
                break;
            }
            const std::string_view piece(buffer.get(), got);
            staged.write(piece);
            etag.update(piece);
            offset += got;
        }
        return publish(staged, etag, dir, bucket, key,
                       content_type_or_default(options.content_type));
    }

    std::unique_ptr<upload> start_upload(const std::string& bucket, const std::string& key,
                                         const put_options& options) override {
        std::string dir = existing_bucket_dir(bucket);
        check_object_key(bucket, key);
        return std::make_unique<file_upload>(temp_dir_, std::move(dir), bucket, key,
                                             content_type_or_default(options.content_type),
                                             options_);
    }

    object_info head(const std::string& bucket, const std::string& key) override {
        const std::string dir = bucket_dir(bucket);
        check_object_key(bucket, key);
        const std::string path = dir + "/" + key;
        const unique_fd fd = open_object(dir, path, bucket, key);
        const struct stat st = object_status(fd.get(), path, bucket, key);
        return to_object_info(key, current_metadata(fd.get(), st, path));
    }

    list_page list(const std::string& bucket, const list_options& options) override {
        return list_bucket(existing_bucket_dir(bucket), bucket, options);
    }

    void remove(const std::string& bucket, const std::string& key) override {
        const std::string dir = bucket_dir(bucket);
        check_object_key(bucket, key);
        const std::string path = dir + "/" + key;
        if (::unlink(path.c_str()) == 0) {
            remove_empty_folders(dir, key);
            return;
        }
        const int error = errno;
        if (!is_directory(dir)) {
            throw_no_such_bucket(bucket);
        }
        // Missing, or a folder of other keys (EISDIR): not an object, and deleting a key that
        // does not exist succeeds in S3.
        if (error != ENOENT && error != ENOTDIR && error != EISDIR) {
            throw_system_error(error, "cannot delete " + path, bucket, key);
        }
    }

    object_info copy(const std::string& source_bucket, const std::string& source_key,
                     const std::string& bucket, const std::string& key) override {
        const std::string source_dir = bucket_dir(source_bucket);
        check_object_key(source_bucket, source_key);
        check_bucket_name(bucket);
        check_object_key(bucket, key);
        const std::string source = source_dir + "/" + source_key;
        const unique_fd fd = open_object(source_dir, source, source_bucket, source_key);
        const struct stat st = object_status(fd.get(), source, source_bucket, source_key);
        const std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
        if (source_bucket == bucket && source_key == key) {
            throw storage_error("InvalidRequest", 400,
                                "cannot copy key " + quote_name(key) + " in bucket " +
                                    quote_name(bucket) +
                                    " onto itself without changing its metadata",
                                bucket, key);
        }
        if (size > max_copy_bytes) {
            throw storage_error("EntityTooLarge", 400,
                                "cannot copy key " + quote_name(source_key) + " in bucket " +
                                    quote_name(source_bucket) + ": " + std::to_string(size) +
                                    " bytes is more than a copy's 5 GiB limit",
                                bucket, key);
        }
        const std::string dir = existing_bucket_dir(bucket);
        // CopyObject keeps the content type; its ETag is the MD5 of the bytes even when the
        // source was uploaded in parts.
        const std::optional<file_metadata> cached = cached_metadata(fd.get(), st);
        std::string content_type =
            cached ? cached->content_type : std::string(default_content_type);
        staged_file staged(temp_dir_);
        etag_builder etag;
        const auto buffer = std::make_unique<char[]>(io_chunk_bytes);
        for (std::uint64_t offset = 0; offset < size;) {
            const std::size_t want =
                static_cast<std::size_t>(std::min<std::uint64_t>(size - offset, io_chunk_bytes));
            const std::size_t got = read_at(fd.get(), buffer.get(), want, offset, source);
            if (got == 0) {
                throw storage_error("LocalIOError", 0,
                                    "key " + quote_name(source_key) + " in bucket " +
                                        quote_name(source_bucket) + " shrank while being copied",
                                    bucket, key);
            }
            const std::string_view piece(buffer.get(), got);
            staged.write(piece);
            etag.update(piece);
            offset += got;
        }
        return publish(staged, etag, dir, bucket, key, std::move(content_type));
    }

    void create_bucket(const std::string& bucket) override {
        const std::string dir = bucket_dir(bucket);
        if (::mkdir(dir.c_str(), 0777) == 0) {
            return;
        }
        const int error = errno;
        if (error == EEXIST && is_directory(dir)) {
            return;  // ours already: not an error
        }
        if (error == EEXIST) {
            throw storage_error("LocalIOError", 0,
                                "cannot create bucket " + quote_name(bucket) + ": " + dir +
                                    " exists and is not a directory",
                                bucket);
        }
        throw_system_error(error, "cannot create bucket " + quote_name(bucket) + " at " + dir,
                           bucket);
    }

  private:
    // The bucket's directory, its name checked (it may not exist).
    std::string bucket_dir(const std::string& bucket) const {
        check_bucket_name(bucket);
        return root_ + "/" + bucket;
    }

    std::string existing_bucket_dir(const std::string& bucket) const {
        std::string dir = bucket_dir(bucket);
        if (!is_directory(dir)) {
            throw_no_such_bucket(bucket);
        }
        return dir;
    }

    static unique_fd open_object(const std::string& dir, const std::string& path,
                                 const std::string& bucket, const std::string& key) {
        unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd) {
            return fd;
        }
        const int error = errno;
        if (error == ENOENT || error == ENOTDIR) {
            if (!is_directory(dir)) {
                throw_no_such_bucket(bucket);
            }
            throw_no_such_key(bucket, key);
        }
        throw_system_error(error, "cannot open " + path, bucket, key);
    }

    // The status of an opened object; a folder ("a" when only "a/b" exists) is no object.
    static struct stat object_status(int fd, const std::string& path, const std::string& bucket,
                                     const std::string& key) {
        struct stat st {};
        if (::fstat(fd, &st) != 0) {
            throw_system_error(errno, "cannot stat " + path, bucket, key);
        }
        if (!S_ISREG(st.st_mode)) {
            throw_no_such_key(bucket, key);
        }
        return st;
    }

    const std::string root_;  // absolute, no trailing '/' ("" for the file system's root)
    const std::string temp_dir_;
    const store_options options_;
};

}  // namespace

std::shared_ptr<backend> make_file_backend(const std::filesystem::path& root,
                                           const store_options& options) {
    std::error_code error;
    std::filesystem::path absolute = std::filesystem::absolute(root, error).lexically_normal();
    if (!error) {
        std::filesystem::create_directories(absolute, error);
    }
    if (error || !is_directory(absolute.string())) {
        throw storage_error("LocalIOError", 0,
                            "storage root " + root.string() +
                                " is not a directory and cannot be "
                                "created" +
                                (error ? ": " + error.message() : std::string()));
    }
    std::string root_text = absolute.string();
    while (!root_text.empty() && root_text.back() == '/') {
        root_text.pop_back();
    }
    // A read-only root is fine for reading: writes then fail naming the temp directory.
    const std::string temp_dir = root_text + "/" + std::string(staging_directory_name);
    ::mkdir(temp_dir.c_str(), 0777);
    remove_stale_staged_files(temp_dir, stale_staging_age);
    return std::make_shared<file_backend>(std::move(root_text), options);
}

}  // namespace lambdaport::storage::detail
