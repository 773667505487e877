// The front of the storage API: picks a backend from the environment and forwards to it.

#include <cstdlib>
#include <stdexcept>
#include <utility>

#include "lambdaport/storage.hpp"
#include "storage/aws.hpp"
#include "storage/backend.hpp"

namespace lambdaport::storage {

namespace {

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

void check_options(const store_options& options) {
    constexpr std::uint64_t min_part = 5 * 1024 * 1024;  // S3's smallest part (but the last)
    if (options.part_size < min_part) {
        throw std::invalid_argument("store_options.part_size: must be at least 5 MiB");
    }
    if (options.multipart_threshold < min_part) {
        throw std::invalid_argument("store_options.multipart_threshold: must be at least 5 MiB");
    }
    if (options.max_concurrency < 1) {
        throw std::invalid_argument("store_options.max_concurrency: must be at least 1");
    }
    if (options.max_attempts < 1) {
        throw std::invalid_argument("store_options.max_attempts: must be at least 1");
    }
}

// `file:///abs/path` → /abs/path. Only local absolute paths: `file://host/...` is refused.
std::filesystem::path file_url_path(const std::string& url) {
    constexpr std::string_view scheme = "file://";
    if (url.compare(0, scheme.size(), scheme) != 0) {
        throw std::invalid_argument("LAMBDAPORT_STORAGE: '" + url +
                                    "' is not a file:// URL (e.g. file:///srv/data)");
    }
    std::string path = url.substr(scheme.size());
    if (path.empty() || path.front() != '/') {
        throw std::invalid_argument("LAMBDAPORT_STORAGE: '" + url +
                                    "' must name an absolute local path (file:///path)");
    }
    return path;
}

}  // namespace

// --- storage_error

struct storage_error::details {
    std::string code;
    int http_status;
    std::string bucket;
    std::string key;
};

storage_error::storage_error(std::string code, int http_status, const std::string& message,
                             std::string bucket, std::string key)
    : std::runtime_error(message),
      details_(std::make_shared<const details>(
          details{std::move(code), http_status, std::move(bucket), std::move(key)})) {}

const std::string& storage_error::code() const noexcept {
    return details_->code;
}
int storage_error::http_status() const noexcept {
    return details_->http_status;
}
const std::string& storage_error::bucket() const noexcept {
    return details_->bucket;
}
const std::string& storage_error::key() const noexcept {
    return details_->key;
}

// --- object_writer

object_writer::object_writer(std::unique_ptr<detail::upload> upload) : upload_(std::move(upload)) {}
object_writer::object_writer(object_writer&&) noexcept = default;

object_writer& object_writer::operator=(object_writer&& other) noexcept {
    if (this != &other) {
        if (upload_) {
            upload_->abort();
        }
        upload_ = std::move(other.upload_);
    }
    return *this;
}

object_writer::~object_writer() {
    if (upload_) {
        upload_->abort();
    }
}

void object_writer::write(std::string_view bytes) {
    if (!upload_) {
        throw std::logic_error("object_writer::write after close");
    }
    upload_->write(bytes);
}

object_info object_writer::close() {
    if (!upload_) {
        throw std::logic_error("object_writer::close called twice");
    }
    // Whatever happens, the upload is finished: a failed completion has already cleaned up (or
    // left to the store's own expiry what it could not), and the destructor must not abort twice.
    std::unique_ptr<detail::upload> upload = std::move(upload_);
    try {
        return upload->complete();
    } catch (...) {
        upload->abort();
        throw;
    }
}

// --- store

store::store(std::shared_ptr<detail::backend> backend) : backend_(std::move(backend)) {}

store store::from_environment(const store_options& options) {
    check_options(options);
    if (std::string url = environment("LAMBDAPORT_STORAGE"); !url.empty()) {
        return local(file_url_path(url), options);
    }
    return s3(s3_settings::from_environment(), options);
}

store::s3_settings store::s3_settings::from_environment() {
    return detail::settings_from_environment<store::s3_settings>("AWS_ENDPOINT_URL_S3");
}

store store::local(const std::filesystem::path& root, const store_options& options) {
    check_options(options);
    return store(detail::make_file_backend(root, options));
}

store store::s3(const s3_settings& settings, const store_options& options) {
    check_options(options);
    return store(detail::make_s3_backend(settings, options));
}

std::string store::describe() const {
    return backend_->describe();
}

std::string store::get(const std::string& bucket, const std::string& key) const {
    std::string body;
    backend_->get(
        bucket, key, [&](std::string_view piece) { body.append(piece); }, std::nullopt);
    return body;
}

std::string store::get(const std::string& bucket, const std::string& key, byte_range range) const {
    std::string body;
    backend_->get(
        bucket, key, [&](std::string_view piece) { body.append(piece); }, range);
    return body;
}

object_info store::get(const std::string& bucket, const std::string& key,
                       const std::function<void(std::string_view)>& sink,
                       std::optional<byte_range> range) const {
    return backend_->get(bucket, key, sink, range);
}

object_info store::put(const std::string& bucket, const std::string& key, std::string_view bytes,
                       const put_options& options) const {
    return backend_->put(bucket, key, bytes, options);
}

object_info store::put_file(const std::string& bucket, const std::string& key,
                            const std::filesystem::path& file, const put_options& options) const {
    return backend_->put_file(bucket, key, file, options);
}

object_writer store::writer(const std::string& bucket, const std::string& key,
                            const put_options& options) const {
    return object_writer(backend_->start_upload(bucket, key, options));
}

object_info store::head(const std::string& bucket, const std::string& key) const {
    return backend_->head(bucket, key);
}

list_page store::list(const std::string& bucket, const list_options& options) const {
    if (options.max_keys < 1 || options.max_keys > 1000) {
        throw std::invalid_argument("list_options.max_keys: must be 1 to 1000");
    }
    return backend_->list(bucket, options);
}

std::vector<object_info> store::list_all(const std::string& bucket,
                                         const std::string& prefix) const {
    std::vector<object_info> all;
    list_options options;
    options.prefix = prefix;
    for (;;) {
        list_page page = backend_->list(bucket, options);
        all.insert(all.end(), std::make_move_iterator(page.objects.begin()),
                   std::make_move_iterator(page.objects.end()));
        if (!page.truncated) {
            return all;
        }
        if (page.next_continuation_token.empty()) {
            throw storage_error(
                "InvalidResponse", 0,
                "listing of " + bucket + " is truncated but has no continuation token", bucket);
        }
        options.continuation_token = std::move(page.next_continuation_token);
    }
}

void store::remove(const std::string& bucket, const std::string& key) const {
    backend_->remove(bucket, key);
}

object_info store::copy(const std::string& source_bucket, const std::string& source_key,
                        const std::string& bucket, const std::string& key) const {
    return backend_->copy(source_bucket, source_key, bucket, key);
}

void store::create_bucket(const std::string& bucket) const {
    backend_->create_bucket(bucket);
}

}  // namespace lambdaport::storage
