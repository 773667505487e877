#pragma once

#include <exception>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

// The engine's logging facade: one line per event, `key=value` fields, on standard error.
// Event lines may be written from any thread (event sources poll on their own); sinks other than
// the console belong to one thread.
namespace lambdaport::runtime::log {

enum class level { debug, info, warn, error };

/// A field of an event line; the value is quoted when it has spaces.
struct field {
    std::string_view key;
    std::string value;
};

/// Lines below this level are dropped. Default: info.
void set_level(level min);

/// Writes `<time> <LEVEL> <message> key=value ...` and flushes at once.
void write(level lvl, std::string_view message, std::initializer_list<field> fields = {});

inline void info(std::string_view m, std::initializer_list<field> f = {}) {
    write(level::info, m, f);
}
inline void warn(std::string_view m, std::initializer_list<field> f = {}) {
    write(level::warn, m, f);
}
inline void error(std::string_view m, std::initializer_list<field> f = {}) {
    write(level::error, m, f);
}
inline void debug(std::string_view m, std::initializer_list<field> f = {}) {
    write(level::debug, m, f);
}

/// A buffered append-only writer on a file descriptor. Lines are flushed by `flush()`, which the
/// engine calls on a short timer, or when the buffer grows large.
class sink {
  public:
    explicit sink(int fd, bool owned = false) : fd_(fd), owned_(owned) {}
    /// Opens `file` for appending, creating its folder. Throws std::system_error.
    static sink open_append(const std::filesystem::path& file);
    sink(sink&& other) noexcept;
    sink& operator=(sink&&) = delete;
    ~sink();

    /// Appends `text` and a newline.
    void line(std::string_view text);
    void append(std::string_view text) { buffer_.append(text); }
    void flush();

  private:
    int fd_;
    bool owned_;
    std::string buffer_;
};

/// Appends a line to the engine's console (standard error), written out by the next flush or
/// when the buffer grows large. Thread-safe.
void console_line(std::string_view text);

/// Writes out what the console holds. Thread-safe; the engine calls it on a timer.
void flush_all();

/// A co_spawn completion handler that logs an exception escaping the coroutine.
struct report_exception {
    std::string_view what;
    void operator()(std::exception_ptr e) const;
};

/// The time stamp that starts each line: 2026-11-23T20:15:00.123Z
std::string_view timestamp();

}  // namespace lambdaport::runtime::log
