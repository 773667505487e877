#include "pool/process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstring>
#include <system_error>
#include <utility>

namespace lambdaport::runtime::pool {
namespace {

// Lambda's quota of open descriptors per execution environment.
constexpr rlim_t handler_descriptor_limit = 1024;

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

int pidfd_open(pid_t pid) {
    return int(::syscall(SYS_pidfd_open, pid, 0));
}

// In the vfork child, async-signal-safe: closes every descriptor from 3 up, so the handler holds
// none of the engine's (listening sockets, other instances' pipes), whatever opened them without
// close-on-exec. close_range needs Linux 5.9; before, one close per possible descriptor.
void close_from_3(long max_fd) {
#ifdef SYS_close_range
    if (::syscall(SYS_close_range, 3U, ~0U, 0U) == 0) {
        return;
    }
#endif
    for (long fd = 3; fd < max_fd; ++fd) {
        ::close(int(fd));
    }
}

}  // namespace

const char* memory_limit_mechanism() {
#if LAMBDAPORT_SANITIZED_HANDLERS
    return "resident-memory watchdog (sanitizer build: RLIMIT_DATA would refuse the shadow memory)";
#else
    return "RLIMIT_DATA and a resident-memory watchdog";
#endif
}

namespace {

// Everything the vfork child needs, prepared by the parent: until execve the child may only make
// async-signal-safe calls. The child runs in a function of its own, so nothing it reads lives in a
// register of the parent's frame across vfork.
struct child_plan {
    const char* executable;
    char* const* argv;
    char* const* envp;
    const char* working_dir;
    int output_fd;
    int join_fd;  // the cgroup's cgroup.procs, or -1
    pid_t parent;
    long max_fd;
    rlimit files;  // RLIMIT_NOFILE for the handler
    rlimit data;   // RLIMIT_DATA for the handler, when limit_data
    bool limit_data;
    volatile int* error;  // set when the child cannot join its containment
};

[[noreturn]] __attribute__((noinline)) void run_child(const child_plan& plan) {
    ::setpgid(0, 0);
    // The handler dies with the engine, even on kill -9 of the engine.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != plan.parent) {
        ::_exit(127);
    }
    // Before it runs anything, so that everything it starts is in its cgroup.
    if (plan.join_fd >= 0 && ::write(plan.join_fd, "0", 1) != 1) {
        *plan.error = errno;
        ::_exit(127);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0) {
        ::dup2(devnull, 0);
    }
    ::dup2(plan.output_fd, 1);
    ::dup2(plan.output_fd, 2);
    close_from_3(plan.max_fd);
    ::setrlimit(RLIMIT_NOFILE, &plan.files);
    if (plan.limit_data) {
        ::setrlimit(RLIMIT_DATA, &plan.data);
    }
    if (*plan.working_dir != '\0' && ::chdir(plan.working_dir) != 0) {
        ::_exit(126);
    }
    ::execve(plan.executable, plan.argv, plan.envp);
    ::_exit(127);
}

}  // namespace

process process::spawn(const spawn_options& options) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw_errno("pipe2");
    }
    std::vector<char*> envp;
    envp.reserve(options.environment.size() + 1);
    for (const auto& e : options.environment) {
        envp.push_back(const_cast<char*>(e.c_str()));
    }
    envp.push_back(nullptr);
    std::string exe = options.executable.string();
    std::string cwd = options.working_dir.string();
    char* argv[] = {exe.data(), nullptr};
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) != 0) {
        files.rlim_cur = files.rlim_max = RLIM_INFINITY;
    }
    // Written by the vfork child (it shares our memory) when it cannot join its containment.
    volatile int child_error = 0;
    child_plan plan{};
    plan.executable = exe.c_str();
    plan.argv = argv;
    plan.envp = envp.data();
    plan.working_dir = cwd.c_str();
    plan.output_fd = fds[1];
    plan.parent = ::getpid();
    plan.max_fd = files.rlim_cur != RLIM_INFINITY ? long(files.rlim_cur) : 65536;
    // Lambda's descriptor quota, whatever the engine raised its own limit to.
    plan.files = files;
    plan.files.rlim_cur = std::min<rlim_t>(files.rlim_max, handler_descriptor_limit);
    plan.data.rlim_cur = plan.data.rlim_max = rlim_t(options.memory_mb) * 1024 * 1024;
#if LAMBDAPORT_SANITIZED_HANDLERS
    plan.limit_data = false;
#else
    plan.limit_data = options.memory_mb > 0;
#endif
    plan.error = &child_error;
    process p;
    try {
        p.scope_ = containment(options.marker);
    } catch (...) {
        ::close(fds[0]);
        ::close(fds[1]);
        throw;
    }
    plan.join_fd = p.scope_.join_fd();

    pid_t pid = ::vfork();
    if (pid < 0) {
        int saved = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        errno = saved;
        throw_errno("vfork");
    }
    if (pid == 0) {
        run_child(plan);
    }
    ::close(fds[1]);
    if (child_error != 0) {
        int saved = child_error;
        int status;
        ::waitpid(pid, &status, 0);
        ::close(fds[0]);
        errno = saved;
        throw_errno("joining the instance's cgroup");
    }
    register_leader(pid);
    p.scope_.started(pid);
    ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    p.pid_ = pid;
    p.output_fd_ = fds[0];
    p.pidfd_ = pidfd_open(pid);
    if (p.pidfd_ < 0) {
        int saved = errno;
        p.kill(SIGKILL);
        errno = saved;
        throw_errno("pidfd_open");
    }
    return p;
}

process::process(process&& other) noexcept {
    *this = std::move(other);
}

process& process::operator=(process&& other) noexcept {
    if (this != &other) {
        std::swap(pid_, other.pid_);
        std::swap(pidfd_, other.pidfd_);
        std::swap(output_fd_, other.output_fd_);
        std::swap(reaped_, other.reaped_);
        std::swap(scope_, other.scope_);
    }
    return *this;
}

process::~process() {
    if (pid_ > 0 && !reaped_) {
        kill(SIGKILL);
        int status;
        ::waitpid(pid_, &status, 0);
        reaped();
    }
    if (pidfd_ >= 0) {
        ::close(pidfd_);
    }
    if (output_fd_ >= 0) {
        ::close(output_fd_);
    }
}

int process::release_pidfd() {
    return std::exchange(pidfd_, -1);
}
int process::release_output_fd() {
    return std::exchange(output_fd_, -1);
}

void process::kill(int signal) {
    if (pid_ > 0 && !reaped_) {
        // The group takes down anything the handler started; the pid covers the short window
        // before the child's setpgid.
        ::kill(-pid_, signal);
        ::kill(pid_, signal);
        if (signal == SIGKILL) {
            scope_.kill_all();
        }
    }
}

void process::reaped() {
    reaped_ = true;
    unregister_leader(pid_);
    scope_.leader_reaped();
    // The group may outlive its leader, and so may processes that left it (setsid): they go.
    ::kill(-pid_, SIGKILL);
    scope_.kill_all();
    if (containment_reaps()) {
        reap_orphans();  // those it could not reap while this process waited to be
    }
}

bool process::try_wait(int& status) {
    if (pid_ <= 0 || reaped_) {
        return false;
    }
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        reaped();
        return true;
    }
    return false;
}

namespace {

// Reads /proc/<pid>/<file> into `buf` (NUL-terminated); false when it cannot.
bool read_proc(pid_t pid, const char* file, char* buf, std::size_t size) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/%s", int(pid), file);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    ssize_t n = ::read(fd, buf, size - 1);
    ::close(fd);
    if (n <= 0) {
        return false;
    }
    buf[n] = '\0';
    return true;
}

}  // namespace

std::uint64_t process::peak_rss_kb() const {
    char buf[4096];
    if (pid_ <= 0 || reaped_ || !read_proc(pid_, "status", buf, sizeof buf)) {
        return 0;
    }
    const char* p = std::strstr(buf, "VmHWM:");
    return p ? std::strtoull(p + 6, nullptr, 10) : 0;
}

std::uint64_t process::rss_kb() const {
    char buf[128];
    if (pid_ <= 0 || reaped_ || !read_proc(pid_, "statm", buf, sizeof buf)) {
        return 0;
    }
    char* end = nullptr;
    std::strtoull(buf, &end, 10);  // size; resident comes second
    static const std::uint64_t page_kb = std::uint64_t(::sysconf(_SC_PAGESIZE)) / 1024;
    return std::strtoull(end, nullptr, 10) * page_kb;
}

std::string describe_exit(int wait_status) {
    if (WIFEXITED(wait_status)) {
        return "exit status " + std::to_string(WEXITSTATUS(wait_status));
    }
    if (WIFSIGNALED(wait_status)) {
        std::string name = ::strsignal(WTERMSIG(wait_status));
        if (!name.empty()) {
            name[0] = char(std::tolower(static_cast<unsigned char>(name[0])));
        }
        return "signal: " + name;
    }
    return "unknown status " + std::to_string(wait_status);
}

}  // namespace lambdaport::runtime::pool
