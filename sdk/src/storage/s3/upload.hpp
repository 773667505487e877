#pragma once

// PutObject: one request up to the store's multipart threshold, a multipart upload above it —
// from memory, from a file (parts read from the file as they go out) or streamed by a writer.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "lambdaport/storage.hpp"
#include "storage/backend.hpp"

namespace lambdaport::storage::detail::s3 {

class client;

object_info put_bytes(const std::shared_ptr<client>& c, const std::string& bucket,
                      const std::string& key, std::string_view bytes, const put_options& options);

object_info put_file(const std::shared_ptr<client>& c, const std::string& bucket,
                     const std::string& key, const std::filesystem::path& file,
                     const put_options& options);

/// A streamed upload: buffered up to the threshold (then one PutObject on close), multipart
/// beyond it, holding at most `max_concurrency` part buffers (in flight or being filled).
std::unique_ptr<upload> start_writer(const std::shared_ptr<client>& c, const std::string& bucket,
                                     const std::string& key, const put_options& options);

/// The part size for an object of `size` bytes: `preferred`, or more when S3's 10,000 parts
/// would not hold it (rounded up to a MiB).
std::uint64_t part_size_for(std::uint64_t size, std::uint64_t preferred);

}  // namespace lambdaport::storage::detail::s3
