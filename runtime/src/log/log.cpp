#include "log/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <system_error>

namespace lambdaport::runtime::log {
namespace {

level min_level = level::info;

std::mutex console_mutex;

sink& console() {
    static sink s(STDERR_FILENO);
    return s;
}

std::string_view name_of(level l) {
    switch (l) {
        case level::debug:
            return "DEBUG";
        case level::info:
            return "INFO";
        case level::warn:
            return "WARN";
        case level::error:
            return "ERROR";
    }
    return "INFO";
}

void write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;  // a closed console must not take the engine down
        }
        data.remove_prefix(std::size_t(n));
    }
}

}  // namespace

void set_level(level min) {
    min_level = min;
}

std::string_view timestamp() {
    // Formatting the date part once a second keeps this cheap on the invocation path.
    thread_local std::time_t cached_second = -1;
    thread_local char buf[32];
    auto now = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    std::time_t sec = ms / 1000;
    if (sec != cached_second) {
        std::tm tm{};
        gmtime_r(&sec, &tm);
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
        cached_second = sec;
    }
    std::snprintf(buf + 19, sizeof buf - 19, ".%03dZ", int(ms % 1000));
    return {buf, 24};
}

void write(level lvl, std::string_view message, std::initializer_list<field> fields) {
    if (lvl < min_level) {
        return;
    }
    std::string out;
    out.reserve(128);
    out += timestamp();
    out += ' ';
    out += name_of(lvl);
    out += ' ';
    out += message;
    for (const auto& f : fields) {
        out += ' ';
        out += f.key;
        out += '=';
        if (f.value.empty() || f.value.find_first_of(" \t\"") != std::string::npos) {
            out += '"';
            for (char c : f.value) {
                if (c == '"' || c == '\\') {
                    out += '\\';
                }
                out += c;
            }
            out += '"';
        } else {
            out += f.value;
        }
    }
    std::lock_guard<std::mutex> lock(console_mutex);
    auto& c = console();
    c.line(out);
    c.flush();
}

sink sink::open_append(const std::filesystem::path& file) {
    std::filesystem::create_directories(file.parent_path());
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(), "cannot open " + file.string());
    }
    return sink(fd, true);
}

sink::sink(sink&& other) noexcept
    : fd_(other.fd_), owned_(other.owned_), buffer_(std::move(other.buffer_)) {
    other.fd_ = -1;
    other.owned_ = false;
}

sink::~sink() {
    if (fd_ >= 0) {
        flush();
    }
    if (owned_) {
        ::close(fd_);
    }
}

void sink::line(std::string_view text) {
    buffer_.append(text);
    buffer_ += '\n';
    if (buffer_.size() > 64 * 1024) {
        flush();
    }
}

void sink::flush() {
    if (!buffer_.empty() && fd_ >= 0) {
        write_all(fd_, buffer_);
    }
    buffer_.clear();
}

void console_line(std::string_view text) {
    std::lock_guard<std::mutex> lock(console_mutex);
    console().line(text);
}

void flush_all() {
    std::lock_guard<std::mutex> lock(console_mutex);
    console().flush();
}

void report_exception::operator()(std::exception_ptr e) const {
    if (!e) {
        return;
    }
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        log::error("task failed", {{"task", std::string(what)}, {"error", ex.what()}});
    } catch (...) {
        log::error("task failed", {{"task", std::string(what)}, {"error", "unknown exception"}});
    }
}

}  // namespace lambdaport::runtime::log
