#include "pool/process_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>

namespace lambdaport::runtime::pool::process_tree {
namespace {

// Calls `f(pid)` for every process in /proc.
template <typename F>
void for_each_process(F&& f) {
    DIR* dir = ::opendir("/proc");
    if (!dir) {
        return;
    }
    while (const dirent* e = ::readdir(dir)) {
        pid_t pid = 0;
        const char* end = e->d_name + std::strlen(e->d_name);
        auto [p, ec] = std::from_chars(e->d_name, end, pid);
        if (ec == std::errc{} && p == end && pid > 0) {
            f(pid);
        }
    }
    ::closedir(dir);
}

// Reads at most `size - 1` bytes of /proc/<pid>/<file>; the count, or -1.
ssize_t read_proc(pid_t pid, const char* file, char* buf, std::size_t size) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/%s", int(pid), file);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    ssize_t n = ::read(fd, buf, size - 1);
    ::close(fd);
    if (n >= 0) {
        buf[n] = '\0';
    }
    return n;
}

struct stat_fields {
    pid_t ppid = -1;
    char state = '?';
};

// The name in /proc/<pid>/stat may hold spaces and parentheses: the fields after it start after the
// last ')'.
bool read_stat(pid_t pid, stat_fields& out) {
    char buf[512];
    if (read_proc(pid, "stat", buf, sizeof buf) <= 0) {
        return false;
    }
    const char* close = std::strrchr(buf, ')');
    if (!close) {
        return false;
    }
    int ppid = -1;
    char state = '?';
    if (std::sscanf(close + 1, " %c %d", &state, &ppid) != 2) {
        return false;
    }
    out.ppid = ppid;
    out.state = state;
    return true;
}

}  // namespace

snapshot::snapshot() {
    for_each_process([&](pid_t pid) {
        stat_fields s;
        if (read_stat(pid, s)) {
            entries_.push_back({pid, s.ppid, s.state == 'Z'});
        }
    });
}

std::vector<pid_t> snapshot::below(std::vector<pid_t> roots) const {
    std::unordered_multimap<pid_t, pid_t> children;
    for (const auto& e : entries_) {
        if (!e.zombie) {
            children.emplace(e.parent, e.pid);
        }
    }
    for (std::size_t i = 0; i < roots.size(); ++i) {
        auto [first, last] = children.equal_range(roots[i]);
        for (auto it = first; it != last; ++it) {
            if (std::find(roots.begin(), roots.end(), it->second) == roots.end()) {
                roots.push_back(it->second);
            }
        }
    }
    return roots;
}

std::vector<snapshot::entry> snapshot::children(pid_t parent) const {
    std::vector<entry> out;
    for (const auto& e : entries_) {
        if (e.parent == parent) {
            out.push_back(e);
        }
    }
    return out;
}

bool environment_has(pid_t pid, std::string_view entry) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/environ", int(pid));
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    std::string env;
    char buf[8192];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
        env.append(buf, std::size_t(n));
    }
    ::close(fd);
    // Entries are NUL-terminated: match a whole entry only.
    for (std::size_t at = 0; at < env.size();) {
        std::size_t end = env.find('\0', at);
        if (end == std::string::npos) {
            end = env.size();
        }
        if (std::string_view(env).substr(at, end - at) == entry) {
            return true;
        }
        at = end + 1;
    }
    return false;
}

bool holds_socket(pid_t pid, ino_t inode) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/fd", int(pid));
    int dfd = ::open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        return false;
    }
    DIR* dir = ::fdopendir(dfd);
    if (!dir) {
        ::close(dfd);
        return false;
    }
    char want[48];
    int want_len = std::snprintf(want, sizeof want, "socket:[%llu]", (unsigned long long)inode);
    bool found = false;
    while (const dirent* e = ::readdir(dir)) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char link[64];
        ssize_t n = ::readlinkat(dfd, e->d_name, link, sizeof link);
        if (n == want_len && std::memcmp(link, want, std::size_t(n)) == 0) {
            found = true;
            break;
        }
    }
    ::closedir(dir);
    return found;
}

pid_t socket_holder(ino_t inode) {
    pid_t holder = -1;
    for_each_process([&](pid_t pid) {
        if (holder < 0 && holds_socket(pid, inode)) {
            holder = pid;
        }
    });
    return holder;
}

}  // namespace lambdaport::runtime::pool::process_tree
