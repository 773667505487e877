#include "pool/containment.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>

#include "pool/process_tree.hpp"

namespace lambdaport::runtime::pool {
namespace {

enum class mechanism { unset, cgroup, subreaper };

struct state {
    std::mutex mutex;
    mechanism kind = mechanism::unset;
    std::string base;                  // <the engine's cgroup>/lambdaport-<engine pid>
    std::vector<std::string> pending;  // killed cgroups not removed yet (still emptying)
    std::set<pid_t> leaders;
    std::atomic<unsigned> next_cgroup{0};
};

state& global() {
    static state s;
    return s;
}

constexpr const char* cgroup_words = "cgroup v2 per instance (cgroup.kill)";
constexpr const char* subreaper_words =
    "child subreaper (the engine kills each instance's descendants and its orphans, found by an "
    "environment marker, and reaps them)";

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

bool write_file(const std::string& path, std::string_view text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
    ::close(fd);
    return ok;
}

// The folder of the engine's own cgroup in the cgroup v2 hierarchy; empty when there is none.
std::string own_cgroup_folder() {
    std::string path;
    std::istringstream cgroups(read_file("/proc/self/cgroup"));
    for (std::string line; std::getline(cgroups, line);) {
        if (line.rfind("0::", 0) == 0) {
            path = line.substr(3);
        }
    }
    if (path.empty()) {
        return {};
    }
    // mountinfo: id parent dev root mount-point options [optional...] - type source super-options
    std::istringstream mounts(read_file("/proc/self/mountinfo"));
    for (std::string line; std::getline(mounts, line);) {
        auto dash = line.find(" - cgroup2 ");
        if (dash == std::string::npos) {
            continue;
        }
        std::istringstream fields(line.substr(0, dash));
        std::string id, parent, dev, root, mount_point;
        fields >> id >> parent >> dev >> root >> mount_point;
        if (path.rfind(root, 0) != 0) {
            continue;  // a mount of another part of the hierarchy
        }
        std::string rest = root == "/" ? path : path.substr(root.size());
        std::string folder = mount_point + (rest == "/" ? "" : rest);
        // (The root cgroup has no cgroup.kill: setup_cgroup() checks it in the cgroup it makes.)
        if (::access((folder + "/cgroup.procs").c_str(), W_OK) == 0) {
            return folder;
        }
    }
    return {};
}

// Kills what is left in `folder` and removes it; false while processes are still leaving.
bool remove_cgroup(const std::string& folder) {
    if (::rmdir(folder.c_str()) == 0 || errno == ENOENT) {
        return true;
    }
    write_file(folder + "/cgroup.kill", "1");
    return false;
}

// The cgroups of engines that died without removing theirs (kill -9): their processes go now.
void remove_stale_cgroups(const std::string& parent) {
    DIR* dir = ::opendir(parent.c_str());
    if (!dir) {
        return;
    }
    std::vector<std::string> stale;
    while (const dirent* e = ::readdir(dir)) {
        std::string_view name = e->d_name;
        if (name.rfind("lambdaport-", 0) != 0) {
            continue;
        }
        int pid = std::atoi(e->d_name + 11);
        if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) {
            stale.push_back(parent + "/" + std::string(name));
        }
    }
    ::closedir(dir);
    for (const auto& base : stale) {
        write_file(base + "/cgroup.kill", "1");
        if (DIR* d = ::opendir(base.c_str())) {
            std::vector<std::string> children;
            while (const dirent* e = ::readdir(d)) {
                if (e->d_type == DT_DIR && e->d_name[0] != '.') {
                    children.push_back(base + "/" + e->d_name);
                }
            }
            ::closedir(d);
            for (const auto& c : children) {
                remove_cgroup(c);
            }
        }
        ::rmdir(base.c_str());  // may still be emptying: the next start-up removes it
    }
}

// True when a child process can join a cgroup below `base` (permissions, delegation).
bool can_join(const std::string& base) {
    std::string probe = base + "/probe";
    if (::mkdir(probe.c_str(), 0755) != 0) {
        return false;
    }
    bool ok = false;
    int fd = ::open((probe + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        pid_t pid = ::vfork();
        if (pid == 0) {
            ::_exit(::write(fd, "0", 1) == 1 ? 0 : 1);
        }
        int status = 0;
        ok = pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
             WEXITSTATUS(status) == 0;
        ::close(fd);
    }
    for (int i = 0; i < 200 && !remove_cgroup(probe); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return ok;
}

bool setup_cgroup(state& s) {
    std::string own = own_cgroup_folder();
    if (own.empty()) {
        return false;
    }
    remove_stale_cgroups(own);
    std::string base = own + "/lambdaport-" + std::to_string(::getpid());
    if (::mkdir(base.c_str(), 0755) != 0 && errno != EEXIST) {
        return false;
    }
    // cgroup.kill came with Linux 5.14; without it, killing a cgroup whole would race with forks.
    if (::access((base + "/cgroup.kill").c_str(), W_OK) != 0 || !can_join(base)) {
        ::rmdir(base.c_str());
        return false;
    }
    s.base = base;
    return true;
}

void retry_pending(state& s) {
    std::erase_if(s.pending, [](const std::string& folder) { return remove_cgroup(folder); });
}

}  // namespace

const char* setup_containment(bool allow_cgroup) {
    auto& s = global();
    std::lock_guard lock(s.mutex);
    if (s.kind == mechanism::unset) {
        if (allow_cgroup && setup_cgroup(s)) {
            s.kind = mechanism::cgroup;
        } else {
            ::prctl(PR_SET_CHILD_SUBREAPER, 1);
            s.kind = mechanism::subreaper;
        }
    }
    return s.kind == mechanism::cgroup ? cgroup_words : subreaper_words;
}

const char* containment_mechanism() {
    auto& s = global();
    std::lock_guard lock(s.mutex);
    switch (s.kind) {
        case mechanism::cgroup:
            return cgroup_words;
        case mechanism::subreaper:
            return subreaper_words;
        default:
            return "none";
    }
}

bool containment_reaps() {
    auto& s = global();
    std::lock_guard lock(s.mutex);
    return s.kind == mechanism::subreaper;
}

void reap_orphans() {
    auto& s = global();
    // Peek at one exited child at a time without reaping it: an orphan is reaped here; a handler
    // process is left to its own waiter, whose reaping calls this again (see process::reaped).
    for (;;) {
        siginfo_t info{};
        if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) {
            return;
        }
        {
            std::lock_guard lock(s.mutex);
            if (s.leaders.contains(info.si_pid)) {
                return;
            }
        }
        int status;
        ::waitpid(info.si_pid, &status, WNOHANG);
    }
}

void teardown_containment() {
    auto& s = global();
    std::lock_guard lock(s.mutex);
    if (s.kind != mechanism::cgroup) {
        return;
    }
    // SIGKILLed processes leave within milliseconds; a bounded wait keeps shutdown bounded.
    for (int i = 0; i < 400 && !s.pending.empty(); ++i) {
        retry_pending(s);
        if (!s.pending.empty()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    remove_cgroup(s.base);
}

void register_leader(pid_t pid) {
    auto& s = global();
    std::lock_guard lock(s.mutex);
    s.leaders.insert(pid);
}

void unregister_leader(pid_t pid) {
    auto& s = global();
    std::lock_guard lock(s.mutex);
    s.leaders.erase(pid);
}

containment::containment(std::string marker) : marker_(std::move(marker)) {
    auto& s = global();
    std::lock_guard lock(s.mutex);
    if (s.kind != mechanism::cgroup) {
        return;
    }
    retry_pending(s);
    cgroup_ = s.base + "/instance-" + std::to_string(s.next_cgroup++);
    if (::mkdir(cgroup_.c_str(), 0755) != 0) {
        throw std::system_error(errno, std::generic_category(), "mkdir " + cgroup_);
    }
    join_fd_ = ::open((cgroup_ + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
    if (join_fd_ < 0) {
        int saved = errno;
        ::rmdir(cgroup_.c_str());
        throw std::system_error(saved, std::generic_category(),
                                "open " + cgroup_ + "/cgroup.procs");
    }
}

containment::containment(containment&& other) noexcept {
    *this = std::move(other);
}

containment& containment::operator=(containment&& other) noexcept {
    if (this != &other) {
        std::swap(marker_, other.marker_);
        std::swap(cgroup_, other.cgroup_);
        std::swap(join_fd_, other.join_fd_);
        std::swap(leader_, other.leader_);
    }
    return *this;
}

containment::~containment() {
    release();
}

void containment::release() {
    if (join_fd_ >= 0) {
        ::close(join_fd_);
        join_fd_ = -1;
    }
    if (!cgroup_.empty()) {
        if (!remove_cgroup(cgroup_)) {
            auto& s = global();
            std::lock_guard lock(s.mutex);
            s.pending.push_back(cgroup_);
        }
        cgroup_.clear();
    }
}

void containment::started(pid_t leader) {
    leader_ = leader;
    if (join_fd_ >= 0) {
        ::close(join_fd_);
        join_fd_ = -1;
    }
}

void containment::leader_reaped() {
    // Its pid may now be given to an unrelated process.
    leader_ = -1;
}

std::vector<pid_t> containment::members() const {
    std::vector<pid_t> out;
    if (!cgroup_.empty()) {
        std::istringstream procs(read_file(cgroup_ + "/cgroup.procs"));
        for (pid_t pid; procs >> pid;) {
            out.push_back(pid);
        }
        if (auto it = std::find(out.begin(), out.end(), leader_); it != out.end()) {
            std::iter_swap(out.begin(), it);
        }
        return out;
    }
    process_tree::snapshot now;
    return now.below(roots(now));
}

std::vector<pid_t> containment::roots(const process_tree::snapshot& now) const {
    std::vector<pid_t> out;
    if (leader_ > 0) {
        out.push_back(leader_);
    }
    // Orphans were re-parented to the engine; the marker says whose they are.
    if (!marker_.empty()) {
        for (const auto& c : now.children(::getpid())) {
            if (!c.zombie && c.pid != leader_ && process_tree::environment_has(c.pid, marker_)) {
                out.push_back(c.pid);
            }
        }
    }
    return out;
}

void containment::kill_all() {
    if (!cgroup_.empty()) {
        write_file(cgroup_ + "/cgroup.kill", "1");
        return;
    }
    if (leader_ > 0 || marker_.empty()) {
        // While the leader lives, its group was signalled; what it started is found once it is
        // gone: re-parented to the engine, with the marker. (A look at /proc costs milliseconds
        // on a busy machine: one per instance, not one per signal.)
        return;
    }
    // A process may fork between a look and the kill: look again until nothing new is found (a
    // process killed with SIGKILL forks no more).
    std::set<pid_t> killed;
    for (int round = 0; round < 16; ++round) {
        process_tree::snapshot now;
        bool more = false;
        for (pid_t pid : now.below(roots(now))) {
            if (killed.insert(pid).second) {
                ::kill(pid, SIGKILL);
                more = true;
            }
        }
        if (!more) {
            break;
        }
    }
}

}  // namespace lambdaport::runtime::pool
