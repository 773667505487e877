#pragma once

// Object storage for handlers: one API over local disk, MinIO (or any S3-compatible store) and
// Amazon S3, with the backend chosen by the environment alone, so a handler runs unchanged on a
// laptop, in docker compose and inside AWS Lambda.
//
//     #include <lambdaport/storage.hpp>
//     auto store = lambdaport::storage::store::from_environment();
//     std::string csv = store.get("raw", "2026/11/trips.csv");
//     store.put("clean", "2026/11/trips.csv", transform(csv), {.content_type = "text/csv"});
//
// Link `lambdaport::storage` (it brings libcurl); a handler that only links `lambdaport::sdk`
// loads no libcurl at all.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lambdaport::storage {

namespace detail {
class backend;
class upload;
}  // namespace detail

/// What a store knows about one object.
struct object_info {
    std::string key;
    std::uint64_t size = 0;
    /// As S3 reports it, quotes included: `"<md5 hex>"` for an object written in one request,
    /// `"<md5 of the parts' md5s>-<parts>"` for a multipart upload.
    std::string etag;
    std::chrono::system_clock::time_point last_modified{};
    /// Empty in listings (S3 does not list content types); `application/octet-stream` when the
    /// writer gave none.
    std::string content_type;
};

/// Bytes `first` to `last`, both included, as in an HTTP `Range` header; no `last` = to the end.
struct byte_range {
    std::uint64_t first = 0;
    std::optional<std::uint64_t> last;
};

/// One ListObjectsV2 request.
struct list_options {
    std::string prefix;
    /// Keys with this after the prefix are rolled up into `common_prefixes` (usually "/").
    std::string delimiter;
    /// `next_continuation_token` of the previous page; empty for the first page.
    std::string continuation_token;
    /// List keys after this one (first page only).
    std::string start_after;
    /// 1 to 1000 (S3's limit per page).
    int max_keys = 1000;
};

/// One page of a listing, keys in S3's order (ascending UTF-8 bytes).
struct list_page {
    std::vector<object_info> objects;
    std::vector<std::string> common_prefixes;
    bool truncated = false;
    std::string next_continuation_token;
};

/// How to write an object.
struct put_options {
    /// Sent as `Content-Type`; empty = `application/octet-stream`.
    std::string content_type;
};

/// Tuning for a store; the defaults suit objects from bytes to tens of GB.
struct store_options {
    /// Uploads larger than this use S3 multipart upload (at least 5 MiB).
    std::uint64_t multipart_threshold = 8 * 1024 * 1024;
    /// Size of each multipart part, and of each buffer a streamed upload holds (at least 5 MiB).
    std::uint64_t part_size = 8 * 1024 * 1024;
    /// Parts in flight at once for one upload; memory held is about part_size × this.
    int max_concurrency = 4;
    /// Tries per request (first try included) on 5xx, throttling and dropped connections.
    int max_attempts = 5;
};

/// A failed storage operation. `code()` is the S3 error code ("NoSuchKey", "NoSuchBucket",
/// "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidRange",
/// "BucketAlreadyOwnedByYou", ...) whatever the backend; the local-disk backend answers with the
/// code and status S3 would give. Errors of our own: "InvalidObjectKey" (400: a key the backend
/// cannot store, e.g. one escaping the local root), "NetworkError" (status 0: no HTTP answer after
/// every retry), "InvalidResponse" (the server's answer could not be understood), "LocalIOError"
/// (status 0: the local file system failed).
class storage_error : public std::runtime_error {
  public:
    storage_error(std::string code, int http_status, const std::string& message,
                  std::string bucket = {}, std::string key = {});

    /// The S3 error code, e.g. "NoSuchKey".
    const std::string& code() const noexcept;
    /// The HTTP status of the answer (404, 403, ...), 0 when there was none.
    int http_status() const noexcept;
    const std::string& bucket() const noexcept;
    const std::string& key() const noexcept;

  private:
    struct details;
    std::shared_ptr<const details> details_;  // shared: copying an exception never throws
};

/// A streamed upload: `write` as many times as you like, then `close`. Parts go out while you
/// write (multipart upload above the store's threshold), so an object of any size needs only
/// about `part_size × max_concurrency` of memory. Destroying a writer that was not closed aborts
/// the upload: nothing becomes visible.
///
/// Use from one thread at a time. Errors throw `storage_error`.
class object_writer {
  public:
    object_writer(object_writer&&) noexcept;
    object_writer& operator=(object_writer&&) noexcept;
    ~object_writer();

    void write(std::string_view bytes);
    /// Completes the upload; the object becomes visible whole, at once. Returns what the store
    /// reports about it.
    object_info close();

  private:
    friend class store;
    explicit object_writer(std::unique_ptr<detail::upload> upload);
    std::unique_ptr<detail::upload> upload_;
};

/// A connection to one object store. Cheap to copy (copies share connections); safe to use from
/// several threads at once. Every operation throws `storage_error` on failure.
class store {
  public:
    /// Opens the store the environment names, as a handler sees it:
    ///   LAMBDAPORT_STORAGE=file:///path  → local disk; bucket B is the directory /path/B
    ///   AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL → that S3-compatible endpoint, path-style
    ///   neither → Amazon S3 in AWS_REGION (AWS_DEFAULT_REGION, else us-east-1)
    /// Credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN.
    /// @throws std::invalid_argument naming the variable when one is malformed.
    static store from_environment(const store_options& options = {});

    /// Opens local disk: bucket B is the directory `root`/B (`root` is created if missing).
    static store local(const std::filesystem::path& root, const store_options& options = {});

    /// Credentials and place of an S3-compatible store.
    struct s3_settings {
        /// e.g. "http://127.0.0.1:9000"; empty = Amazon S3 in `region` (virtual-hosted, HTTPS).
        std::string endpoint;
        std::string region = "us-east-1";
        std::string access_key_id;
        std::string secret_access_key;
        std::string session_token;

        /// What `store::from_environment` uses for an S3 store: AWS_ENDPOINT_URL_S3 (else
        /// AWS_ENDPOINT_URL), AWS_REGION (else AWS_DEFAULT_REGION, else us-east-1) and the three
        /// credential variables. Ignores LAMBDAPORT_STORAGE.
        static s3_settings from_environment();
    };
    /// Opens an S3-compatible store.
    static store s3(const s3_settings& settings, const store_options& options = {});

    /// A one-line description for logs, e.g. "file:///srv/data" or "s3 http://127.0.0.1:9000".
    std::string describe() const;

    /// The whole object.
    std::string get(const std::string& bucket, const std::string& key) const;
    /// Part of the object. A range starting past the end throws "InvalidRange" (416).
    std::string get(const std::string& bucket, const std::string& key, byte_range range) const;
    /// Streams the object (or `range` of it) to `sink` in pieces as they arrive, never holding
    /// it whole. A connection dropped midway is resumed where it stopped. An exception from
    /// `sink` stops the transfer and propagates. Returns the object's metadata.
    object_info get(const std::string& bucket, const std::string& key,
                    const std::function<void(std::string_view)>& sink,
                    std::optional<byte_range> range = {}) const;

    /// Writes the object in one go (multipart above the threshold).
    object_info put(const std::string& bucket, const std::string& key, std::string_view bytes,
                    const put_options& options = {}) const;
    /// Uploads a file (multipart above the threshold, parts read from the file as they go out).
    object_info put_file(const std::string& bucket, const std::string& key,
                         const std::filesystem::path& file, const put_options& options = {}) const;
    /// Starts a streamed upload.
    object_writer writer(const std::string& bucket, const std::string& key,
                         const put_options& options = {}) const;

    /// Metadata without the body. A missing object throws "NoSuchKey" (404) — over HTTP, HEAD
    /// has no body, so the code is derived from the status.
    object_info head(const std::string& bucket, const std::string& key) const;
    /// One page of keys.
    list_page list(const std::string& bucket, const list_options& options = {}) const;
    /// Every key under `prefix`, all pages, in order.
    std::vector<object_info> list_all(const std::string& bucket,
                                      const std::string& prefix = {}) const;
    /// Deletes the object; deleting a missing key succeeds, as in S3.
    void remove(const std::string& bucket, const std::string& key) const;
    /// Server-side copy (multipart copy above 5 GiB is not done: "EntityTooLarge").
    object_info copy(const std::string& source_bucket, const std::string& source_key,
                     const std::string& bucket, const std::string& key) const;

    /// Creates the bucket; one that already exists and is ours is not an error.
    void create_bucket(const std::string& bucket) const;

  private:
    explicit store(std::shared_ptr<detail::backend> backend);
    std::shared_ptr<detail::backend> backend_;
};

}  // namespace lambdaport::storage
