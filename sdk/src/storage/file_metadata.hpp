#pragma once

// What the local-disk backend knows about an object beyond its bytes — the ETag S3 would report
// and the content type it was written with — kept in an extended attribute of the file. The
// attribute is trusted only while the file's size and modification time still match it, so a
// file replaced or edited by another tool gets its MD5 computed afresh (and cached again).

#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/aws.hpp"

namespace lambdaport::storage::detail {

/// What S3 answers for an object written without a content type: our S3 backend sends this
/// when put_options.content_type is empty (see storage.hpp), and S3 and MinIO then report it.
inline constexpr std::string_view default_content_type = "application/octet-stream";

/// The extended attribute holding an object's metadata.
inline constexpr const char* metadata_attribute = "user.lambdaport";

/// Computes, while the bytes go by, the ETag S3 reports for them: `"<md5>"` for an object
/// written in one request, `"<md5 of the parts' binary md5s>-<parts>"` for one uploaded in
/// parts. Not thread-safe.
class etag_builder {
  public:
    /// A single-request object at any size (CopyObject).
    etag_builder();
    /// An upload that goes out in `part_size` parts once it is larger than
    /// `multipart_threshold` bytes, as the S3 backend sends it.
    etag_builder(std::uint64_t multipart_threshold, std::uint64_t part_size);

    void update(std::string_view bytes);
    /// The quoted ETag; the builder cannot be used afterwards.
    std::string finish();

  private:
    std::uint64_t threshold_;
    std::uint64_t part_size_;
    std::uint64_t size_ = 0;
    std::uint64_t part_filled_ = 0;
    digest part_;
    std::string part_md5s_;  // the binary MD5 of each finished part, in order
    std::uint64_t parts_ = 0;
    // The whole object's MD5, needed only while the object may still end up single-part yet
    // span more than one part (threshold above part size); dropped once past the threshold.
    std::optional<digest> whole_;
};

/// An object's metadata as stored in its extended attribute.
struct file_metadata {
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::string etag;
    std::string content_type;
};

std::string encode_metadata(const file_metadata& metadata);
/// nullopt for anything not written by encode_metadata.
std::optional<file_metadata> decode_metadata(std::string_view text);

/// The modification time of `st` in nanoseconds since the epoch.
std::int64_t mtime_ns(const struct stat& st) noexcept;
std::chrono::system_clock::time_point to_time_point(std::int64_t ns) noexcept;

/// Stores `metadata` in the attribute of the open file; false when the file system (tmpfs,
/// some overlays) or the file's owner does not allow it — the metadata is then recomputed on
/// every look.
bool save_metadata(int fd, const file_metadata& metadata) noexcept;

/// Saves `metadata`, computed from the open file, unless the file changed (size or mtime) since.
void cache_metadata_if_unchanged(int fd, const file_metadata& metadata) noexcept;

/// The cached metadata of the open file, if it is there and still matches `st` (its fstat).
std::optional<file_metadata> cached_metadata(int fd, const struct stat& st);
/// The same by path (no open: what a listing uses), `st` from stat(path).
std::optional<file_metadata> cached_metadata(const std::string& path, const struct stat& st);

/// The metadata of the open regular file `fd` (`st` = its fstat): the cached copy when valid,
/// else its MD5 read from the file and cached when the file is unchanged meanwhile. `path`
/// names the file in errors.
file_metadata current_metadata(int fd, const struct stat& st, const std::string& path);

}  // namespace lambdaport::storage::detail
