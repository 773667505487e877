#include "storage/file_metadata.hpp"

#include <sys/xattr.h>

#include <cerrno>
#include <charconv>
#include <limits>
#include <memory>

#include "storage/file_io.hpp"

namespace lambdaport::storage::detail {

namespace {

constexpr std::string_view format_tag = "lambdaport-metadata-1";

std::string quote(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

// The next line of `text` (without its '\n'), consumed; nullopt when no '\n' is left.
std::optional<std::string_view> take_line(std::string_view& text) {
    const std::size_t end = text.find('\n');
    if (end == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    return line;
}

template <typename Number>
std::optional<Number> parse_number(std::string_view text) {
    Number value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

bool matches(const file_metadata& metadata, const struct stat& st) {
    return metadata.size == static_cast<std::uint64_t>(st.st_size) &&
           metadata.mtime_ns == mtime_ns(st);
}

// Reads the attribute through `get(buffer, size)` (fgetxattr or getxattr), growing the buffer
// when the value is larger than the first guess.
template <typename Get>
std::optional<file_metadata> load(const Get& get) {
    std::string buffer(256, '\0');
    for (int attempt = 0; attempt < 3; ++attempt) {
        const ssize_t size = get(buffer.data(), buffer.size());
        if (size >= 0) {
            buffer.resize(static_cast<std::size_t>(size));
            return decode_metadata(buffer);
        }
        if (errno != ERANGE) {
            return std::nullopt;  // ENODATA (no attribute), ENOTSUP, ...: nothing cached
        }
        const ssize_t needed = get(nullptr, 0);
        if (needed <= 0) {
            return std::nullopt;
        }
        buffer.resize(static_cast<std::size_t>(needed));
    }
    return std::nullopt;
}

}  // namespace

// --- etag_builder

etag_builder::etag_builder()
    : etag_builder(std::numeric_limits<std::uint64_t>::max(),
                   std::numeric_limits<std::uint64_t>::max()) {}

etag_builder::etag_builder(std::uint64_t multipart_threshold, std::uint64_t part_size)
    : threshold_(multipart_threshold), part_size_(part_size), part_(digest::algorithm::md5) {
    if (threshold_ > part_size_) {
        whole_.emplace(digest::algorithm::md5);
    }
}

void etag_builder::update(std::string_view bytes) {
    if (whole_) {
        if (size_ + bytes.size() <= threshold_) {
            whole_->update(bytes);
        } else {
            whole_.reset();
        }
    }
    size_ += bytes.size();
    while (!bytes.empty()) {
        const std::uint64_t room = part_size_ - part_filled_;
        const std::size_t take =
            bytes.size() < room ? bytes.size() : static_cast<std::size_t>(room);
        part_.update(bytes.substr(0, take));
        part_filled_ += take;
        bytes.remove_prefix(take);
        if (part_filled_ == part_size_) {
            part_md5s_ += part_.finish();
            ++parts_;
            part_ = digest(digest::algorithm::md5);
            part_filled_ = 0;
        }
    }
}

std::string etag_builder::finish() {
    if (part_filled_ > 0 || parts_ == 0) {
        part_md5s_ += part_.finish();
        ++parts_;
    }
    if (size_ > threshold_) {
        return quote(md5_hex(part_md5s_) + "-" + std::to_string(parts_));
    }
    if (parts_ == 1) {
        return quote(to_hex(part_md5s_));
    }
    // More than one part yet within the threshold: only possible when the threshold is above
    // the part size, and then the whole digest was kept.
    return quote(to_hex(whole_->finish()));
}

// --- the attribute

std::string encode_metadata(const file_metadata& metadata) {
    std::string text(format_tag);
    text += '\n';
    text += std::to_string(metadata.size);
    text += '\n';
    text += std::to_string(metadata.mtime_ns);
    text += '\n';
    text += metadata.etag;
    text += '\n';
    text += metadata.content_type;  // last: it is whatever the writer gave
    return text;
}

std::optional<file_metadata> decode_metadata(std::string_view text) {
    const auto tag = take_line(text);
    const auto size = take_line(text);
    const auto mtime = take_line(text);
    const auto etag = take_line(text);
    if (!etag || *tag != format_tag || etag->empty()) {
        return std::nullopt;
    }
    const auto size_value = parse_number<std::uint64_t>(*size);
    const auto mtime_value = parse_number<std::int64_t>(*mtime);
    if (!size_value || !mtime_value) {
        return std::nullopt;
    }
    return file_metadata{*size_value, *mtime_value, std::string(*etag), std::string(text)};
}

std::int64_t mtime_ns(const struct stat& st) noexcept {
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

std::chrono::system_clock::time_point to_time_point(std::int64_t ns) noexcept {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds(ns)));
}

bool save_metadata(int fd, const file_metadata& metadata) noexcept {
    try {
        const std::string text = encode_metadata(metadata);
        return ::fsetxattr(fd, metadata_attribute, text.data(), text.size(), 0) == 0;
    } catch (...) {
        return false;
    }
}

void cache_metadata_if_unchanged(int fd, const file_metadata& metadata) noexcept {
    struct stat st {};
    if (::fstat(fd, &st) == 0 && matches(metadata, st)) {
        save_metadata(fd, metadata);
    }
}

std::optional<file_metadata> cached_metadata(int fd, const struct stat& st) {
    auto metadata = load([fd](char* buffer, std::size_t size) {
        return ::fgetxattr(fd, metadata_attribute, buffer, size);
    });
    if (metadata && matches(*metadata, st)) {
        return metadata;
    }
    return std::nullopt;
}

std::optional<file_metadata> cached_metadata(const std::string& path, const struct stat& st) {
    auto metadata = load([&path](char* buffer, std::size_t size) {
        return ::getxattr(path.c_str(), metadata_attribute, buffer, size);
    });
    if (metadata && matches(*metadata, st)) {
        return metadata;
    }
    return std::nullopt;
}

file_metadata current_metadata(int fd, const struct stat& st, const std::string& path) {
    if (auto cached = cached_metadata(fd, st)) {
        return std::move(*cached);
    }
    // A file that arrived some other way (cp, an editor, a sync tool): to the caller it is an
    // object written in one request, so its ETag is its plain MD5.
    etag_builder etag;
    const std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
    const auto buffer = std::make_unique<char[]>(io_chunk_bytes);
    std::uint64_t offset = 0;
    while (offset < size) {
        const std::uint64_t left = size - offset;
        const std::size_t want = left < io_chunk_bytes ? left : io_chunk_bytes;
        const std::size_t got = read_at(fd, buffer.get(), want, offset, path);
        if (got == 0) {
            break;  // truncated meanwhile; the check below keeps this from being cached
        }
        etag.update(std::string_view(buffer.get(), got));
        offset += got;
    }
    file_metadata metadata{size, mtime_ns(st), etag.finish(), std::string(default_content_type)};
    if (offset == size) {
        cache_metadata_if_unchanged(fd, metadata);
    }
    return metadata;
}

}  // namespace lambdaport::storage::detail
