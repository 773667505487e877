#include "pool/process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <csignal>
#include <cstring>
#include <system_error>
#include <utility>

namespace lambdaport::runtime::pool {
namespace {

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

int pidfd_open(pid_t pid) {
    return int(::syscall(SYS_pidfd_open, pid, 0));
}

}  // namespace

const char* memory_limit_mechanism() {
#if LAMBDAPORT_SANITIZED_HANDLERS
    return "resident-memory watchdog (sanitizer build: RLIMIT_DATA would refuse the shadow memory)";
#else
    return "RLIMIT_DATA and a resident-memory watchdog";
#endif
}

process process::spawn(const spawn_options& options) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw_errno("pipe2");
    }
    // Everything the child needs is prepared before vfork: it may only make async-signal-safe
    // calls until execve.
    std::vector<char*> envp;
    envp.reserve(options.environment.size() + 1);
    for (const auto& e : options.environment) {
        envp.push_back(const_cast<char*>(e.c_str()));
    }
    envp.push_back(nullptr);
    std::string exe = options.executable.string();
    std::string cwd = options.working_dir.string();
    char* argv[] = {exe.data(), nullptr};
    rlimit data_limit{};
    data_limit.rlim_cur = data_limit.rlim_max = rlim_t(options.memory_mb) * 1024 * 1024;
#if LAMBDAPORT_SANITIZED_HANDLERS
    const bool limit = false;
#else
    const bool limit = options.memory_mb > 0;
#endif
    const pid_t parent = ::getpid();

    pid_t pid = ::vfork();
    if (pid < 0) {
        int saved = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        errno = saved;
        throw_errno("vfork");
    }
    if (pid == 0) {
        ::setpgid(0, 0);
        // The handler dies with the engine, even on kill -9 of the engine.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) {
            ::_exit(127);
        }
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            ::dup2(devnull, 0);
        }
        ::dup2(fds[1], 1);
        ::dup2(fds[1], 2);
        if (limit) {
            ::setrlimit(RLIMIT_DATA, &data_limit);
        }
        if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
            ::_exit(126);
        }
        ::execve(exe.c_str(), argv, envp.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    process p;
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
    }
    return *this;
}

process::~process() {
    if (pid_ > 0 && !reaped_) {
        kill(SIGKILL);
        int status;
        ::waitpid(pid_, &status, 0);
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
    }
}

bool process::try_wait(int& status) {
    if (pid_ <= 0 || reaped_) {
        return false;
    }
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        reaped_ = true;
        // The group may outlive its leader; it goes with it.
        ::kill(-pid_, SIGKILL);
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
