#include "storage/file_listing.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>
#include <vector>

#include "storage/file_io.hpp"
#include "storage/file_metadata.hpp"
#include "storage/file_names.hpp"

namespace lambdaport::storage::detail {

namespace {

// Where a page starts: keys must sort after `after` and, when `skip_prefix`, must not start with
// it (`after` is then the common prefix the previous page ended with). Only ever moves forward.
struct bound {
    std::string after;
    bool skip_prefix = false;
};

bool key_included(std::string_view key, const bound& from) {
    if (from.skip_prefix && key.starts_with(from.after)) {
        return false;
    }
    return key > std::string_view(from.after);
}

// Whether every key that starts with `head` is before the bound (or skipped with it).
bool subtree_excluded(std::string_view head, const bound& from) {
    if (from.skip_prefix && head.starts_with(from.after)) {
        return true;
    }
    const std::string_view after = from.after;
    return head < after && !after.starts_with(head);
}

// --- token: base64 of a marker ('k' key, 'p' common prefix) and the name

constexpr char base64_digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        std::uint32_t group = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
        if (i + 1 < bytes.size()) {
            group |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        }
        if (i + 2 < bytes.size()) {
            group |= static_cast<unsigned char>(bytes[i + 2]);
        }
        out += base64_digits[(group >> 18) & 63];
        out += base64_digits[(group >> 12) & 63];
        out += i + 1 < bytes.size() ? base64_digits[(group >> 6) & 63] : '=';
        out += i + 2 < bytes.size() ? base64_digits[group & 63] : '=';
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    std::string out;
    std::uint32_t group = 0;
    int bits = 0;
    std::size_t padding = 0;
    for (char c : text) {
        if (c == '=') {
            ++padding;
            continue;
        }
        const char* digit = std::find(base64_digits, base64_digits + 64, c);
        if (digit == base64_digits + 64 || padding > 0) {
            return std::nullopt;
        }
        group = (group << 6) | static_cast<std::uint32_t>(digit - base64_digits);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((group >> bits) & 0xff);
        }
    }
    if (padding > 2) {
        return std::nullopt;
    }
    return out;
}

bound decode_continuation_token(const std::string& token, const std::string& bucket) {
    const auto decoded = base64_decode(token);
    if (!decoded || decoded->size() < 2 || ((*decoded)[0] != 'k' && (*decoded)[0] != 'p')) {
        throw storage_error("InvalidArgument", 400,
                            "the continuation token for bucket " + quote_name(bucket) +
                                " is incorrect (not one this store issued)",
                            bucket);
    }
    return bound{decoded->substr(1), (*decoded)[0] == 'p'};
}

// --- the walk

struct folder_entry {
    std::string name;  // with '/' appended for a folder: the order its keys sort in
    bool folder;
};

enum class entry_kind { file, folder, other };

// What a directory entry is. Symbolic links count as what they point to, except that links to
// folders are not followed (no loops).
entry_kind classify(int dir_fd, const dirent& entry) {
    unsigned char type = entry.d_type;
    struct stat st {};
    if (type == DT_UNKNOWN) {
        if (::fstatat(dir_fd, entry.d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            return entry_kind::other;
        }
        type = S_ISLNK(st.st_mode) ? DT_LNK : S_ISDIR(st.st_mode) ? DT_DIR : DT_UNKNOWN;
        if (S_ISREG(st.st_mode)) {
            return entry_kind::file;
        }
    }
    if (type == DT_REG) {
        return entry_kind::file;
    }
    if (type == DT_DIR) {
        return entry_kind::folder;
    }
    if (type == DT_LNK && ::fstatat(dir_fd, entry.d_name, &st, 0) == 0 && S_ISREG(st.st_mode)) {
        return entry_kind::file;
    }
    return entry_kind::other;
}

struct dir_closer {
    void operator()(DIR* dir) const noexcept { ::closedir(dir); }
};
using unique_dir = std::unique_ptr<DIR, dir_closer>;

// Calls `visit(name, kind)` for each entry of the folder that can be part of a key.
template <typename Visit>
void for_each_entry(const std::string& path, const Visit& visit) {
    const unique_dir dir(::opendir(path.c_str()));
    if (!dir) {
        return;  // removed meanwhile, or an object where a folder was: no keys here
    }
    while (const dirent* entry = ::readdir(dir.get())) {
        const std::string_view name = entry->d_name;
        if (name == "." || name == ".." || !is_valid_utf8(name)) {
            continue;  // a name that is not UTF-8 cannot be an S3 key
        }
        const entry_kind kind = classify(::dirfd(dir.get()), *entry);
        if (kind != entry_kind::other) {
            if (visit(name, kind == entry_kind::folder)) {
                return;
            }
        }
    }
}

struct listed {
    std::string name;
    bool common_prefix;
};

// Yields the keys and common prefixes of one listing in order.
class walker {
  public:
    walker(std::string bucket_dir, const list_options& options, bound from)
        : bucket_dir_(std::move(bucket_dir)),
          prefix_(options.prefix),
          delimiter_(options.delimiter),
          from_(std::move(from)) {
        // Start in the deepest folder the prefix names, if it can name one at all.
        std::string head = prefix_.substr(0, prefix_.rfind('/') + 1);
        if (head.empty() || (head.size() < max_key_bytes &&
                             object_key_problem(head.substr(0, head.size() - 1)).empty())) {
            enter(std::move(head));
        }
    }

    std::optional<listed> next() {
        while (!stack_.empty()) {
            frame& top = stack_.back();
            if (top.next == top.entries.size()) {
                stack_.pop_back();
                continue;
            }
            const folder_entry& entry = top.entries[top.next++];
            std::string name = top.head + entry.name;
            if (!entry.folder) {
                if (!file_wanted(name)) {
                    continue;
                }
                if (auto rolled = common_prefix_of(name)) {
                    return listed{std::move(*rolled), true};
                }
                return listed{std::move(name), false};
            }
            if (!folder_wanted(name)) {
                continue;
            }
            if (auto rolled = common_prefix_of(name)) {
                if (has_wanted_file(name)) {
                    return listed{std::move(*rolled), true};
                }
                continue;
            }
            enter(std::move(name));  // invalidates `top`
        }
        return std::nullopt;
    }

    /// Passes over every key under `common_prefix` (just returned).
    void skip(std::string common_prefix) { from_ = bound{std::move(common_prefix), true}; }

  private:
    struct frame {
        std::string head;  // the folder's keys start with this ("" or "a/b/")
        std::vector<folder_entry> entries;
        std::size_t next = 0;
    };

    bool file_wanted(std::string_view key) const {
        return key.size() <= max_key_bytes && key.starts_with(prefix_) && key_included(key, from_);
    }

    // `head` = the folder's name with '/': whether some key under it may be listed.
    bool folder_wanted(std::string_view head) const {
        return head.size() < max_key_bytes &&
               (head.starts_with(prefix_) || std::string_view(prefix_).starts_with(head)) &&
               !subtree_excluded(head, from_);
    }

    // The common prefix `name` rolls up into, if any. For a folder ("a/b/"), the first
    // delimiter after the prefix lying within its name means every key under it rolls up
    // the same way.
    std::optional<std::string> common_prefix_of(const std::string& name) const {
        if (delimiter_.empty() || name.size() <= prefix_.size() || !name.starts_with(prefix_)) {
            return std::nullopt;
        }
        const std::size_t at = name.find(delimiter_, prefix_.size());
        if (at == std::string::npos) {
            return std::nullopt;
        }
        return name.substr(0, at + delimiter_.size());
    }

    void enter(std::string head) {
        frame folder{std::move(head), {}, 0};
        for_each_entry(path_of(folder.head), [&](std::string_view name, bool is_folder) {
            std::string full = folder.head;
            full += name;
            if (is_folder) {
                full += '/';
            }
            // The bound only moves forward, so what it excludes now stays excluded.
            if (is_folder ? folder_wanted(full) : file_wanted(full)) {
                folder.entries.push_back(folder_entry{full.substr(folder.head.size()), is_folder});
            }
            return false;
        });
        std::sort(folder.entries.begin(), folder.entries.end(),
                  [](const folder_entry& a, const folder_entry& b) { return a.name < b.name; });
        stack_.push_back(std::move(folder));
    }

    // Whether the folder `head` holds, at any depth, a key this page may list; order does not
    // matter here, so the folders are not sorted.
    bool has_wanted_file(const std::string& head) const {
        bool found = false;
        for_each_entry(path_of(head), [&](std::string_view name, bool is_folder) {
            std::string full = head;
            full += name;
            if (is_folder) {
                full += '/';
                found = folder_wanted(full) && has_wanted_file(full);
            } else {
                found = file_wanted(full);
            }
            return found;
        });
        return found;
    }

    std::string path_of(const std::string& head) const {
        return head.empty() ? bucket_dir_ : bucket_dir_ + "/" + head;
    }

    std::string bucket_dir_;
    std::string prefix_;
    std::string delimiter_;
    bound from_;
    std::vector<frame> stack_;
};

// The listing's view of one object: metadata without the content type (S3 lists none).
// nullopt when the file went away meanwhile.
std::optional<object_info> describe(const std::string& bucket_dir, const std::string& bucket,
                                    std::string key) {
    const std::string path = bucket_dir + "/" + key;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return std::nullopt;
    }
    std::optional<file_metadata> metadata = cached_metadata(path, st);
    if (!metadata) {
        const unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) {
            if (errno == ENOENT) {
                return std::nullopt;
            }
            throw_system_error(errno, "cannot read " + path + " to compute its ETag", bucket, key);
        }
        if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
            return std::nullopt;
        }
        metadata = current_metadata(fd.get(), st, path);
    }
    object_info info;
    info.key = std::move(key);
    info.size = metadata->size;
    info.etag = std::move(metadata->etag);
    info.last_modified = to_time_point(metadata->mtime_ns);
    return info;
}

}  // namespace

std::string encode_continuation_token(std::string_view last, bool common_prefix) {
    std::string marked(1, common_prefix ? 'p' : 'k');
    marked += last;
    return base64_encode(marked);
}

list_page list_bucket(const std::string& bucket_dir, const std::string& bucket,
                      const list_options& options) {
    list_page page;
    const int max_keys = std::min(options.max_keys, 1000);
    if (max_keys < 1) {
        return page;
    }
    bound from;
    if (!options.continuation_token.empty()) {
        from = decode_continuation_token(options.continuation_token, bucket);
    } else {
        from.after = options.start_after;
    }
    walker walk(bucket_dir, options, std::move(from));
    int count = 0;
    std::string last;
    bool last_is_prefix = false;
    while (count < max_keys) {
        std::optional<listed> item = walk.next();
        if (!item) {
            return page;
        }
        if (item->common_prefix) {
            walk.skip(item->name);
            page.common_prefixes.push_back(item->name);
        } else {
            std::optional<object_info> info = describe(bucket_dir, bucket, item->name);
            if (!info) {
                continue;
            }
            page.objects.push_back(std::move(*info));
        }
        last = std::move(item->name);
        last_is_prefix = item->common_prefix;
        ++count;
    }
    if (walk.next()) {
        page.truncated = true;
        page.next_continuation_token = encode_continuation_token(last, last_is_prefix);
    }
    return page;
}

}  // namespace lambdaport::storage::detail
