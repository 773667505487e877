#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

namespace lambdaport::runtime::sources {

/// What a bucket source has handed to its function, kept in the state folder so that a restart
/// (kill -9 included) skips nothing and repeats nothing: one line per object, appended with a
/// single write(2) once its event is stored in the durable async queue. An object counts as
/// handed over for the ETag it had; a new ETag makes it new again.
///
/// The file, <dir>/objects.log, holds JSON lines ["<etag>", "<key>"]; it is compacted (one line per
/// key, written aside and renamed into place) when opened. A torn last line — the engine killed in
/// the middle of a write — is ignored: that object is delivered again, never lost. Not
/// thread-safe: one source thread owns it.
class checkpoint {
  public:
    /// Reads (and compacts) the checkpoint in `dir`, creating the folder.
    /// Throws std::system_error when the folder or file cannot be used.
    explicit checkpoint(std::filesystem::path dir);
    ~checkpoint();
    checkpoint(const checkpoint&) = delete;
    checkpoint& operator=(const checkpoint&) = delete;

    /// No checkpoint existed before: this source never ran with this state folder.
    bool fresh() const noexcept { return fresh_; }
    /// The object `key` was handed over with this `etag`.
    bool contains(std::string_view key, std::string_view etag) const;
    /// Records `key` with `etag` as handed over. Throws std::system_error.
    void record(const std::string& key, const std::string& etag);
    std::size_t size() const noexcept { return etags_.size(); }
    /// Lines in the file that were unreadable when it was opened.
    std::size_t torn_lines() const noexcept { return torn_; }

  private:
    std::filesystem::path file_;
    std::unordered_map<std::string, std::string> etags_;  // key → etag
    int fd_ = -1;
    bool fresh_ = true;
    std::size_t torn_ = 0;
};

}  // namespace lambdaport::runtime::sources
