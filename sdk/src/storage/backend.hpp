#pragma once

// What each storage backend implements; `store` and `object_writer` forward to it. Backends:
// file_backend.cpp (local disk) and s3/ (S3-compatible stores over libcurl).

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "lambdaport/storage.hpp"

namespace lambdaport::storage::detail {

/// One upload in progress. `complete` or `abort` is called at most once; after `abort` nothing
/// of the object is visible.
class upload {
  public:
    virtual ~upload() = default;
    virtual void write(std::string_view bytes) = 0;
    virtual object_info complete() = 0;
    virtual void abort() noexcept = 0;
};

/// A storage backend. Every member may be called from several threads at once.
class backend {
  public:
    virtual ~backend() = default;

    virtual std::string describe() const = 0;

    /// Streams the object (or `range` of it) to `sink`; returns its metadata (size = the whole
    /// object's size).
    virtual object_info get(const std::string& bucket, const std::string& key,
                            const std::function<void(std::string_view)>& sink,
                            std::optional<byte_range> range) = 0;
    virtual object_info put(const std::string& bucket, const std::string& key,
                            std::string_view bytes, const put_options& options) = 0;
    virtual object_info put_file(const std::string& bucket, const std::string& key,
                                 const std::filesystem::path& file,
                                 const put_options& options) = 0;
    virtual std::unique_ptr<upload> start_upload(const std::string& bucket,
                                                 const std::string& key,
                                                 const put_options& options) = 0;
    virtual object_info head(const std::string& bucket, const std::string& key) = 0;
    virtual list_page list(const std::string& bucket, const list_options& options) = 0;
    virtual void remove(const std::string& bucket, const std::string& key) = 0;
    virtual object_info copy(const std::string& source_bucket, const std::string& source_key,
                             const std::string& bucket, const std::string& key) = 0;
    virtual void create_bucket(const std::string& bucket) = 0;
};

/// Local disk rooted at `root` (file_backend.cpp).
std::shared_ptr<backend> make_file_backend(const std::filesystem::path& root,
                                           const store_options& options);

/// An S3-compatible store (s3/s3_backend.cpp).
std::shared_ptr<backend> make_s3_backend(const store::s3_settings& settings,
                                         const store_options& options);

}  // namespace lambdaport::storage::detail
