#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <deque>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>
#include <system_error>
#include <thread>

namespace lambdaport::bench {

std::filesystem::path find_executable(std::initializer_list<std::filesystem::path> candidates) {
    for (const auto& c : candidates) {
        std::error_code ec;
        if (!c.empty() && std::filesystem::is_regular_file(c, ec)) {
            return std::filesystem::weakly_canonical(c, ec);
        }
    }
    return *candidates.begin();
}
namespace {

// Running children, for the signal handler: plain atomics, because only async-signal-safe work
// may happen there.
constexpr std::size_t max_children = 16;
std::array<std::atomic<pid_t>, max_children> registry{};

void register_child(pid_t pid) {
    for (auto& slot : registry) {
        pid_t empty = 0;
        if (slot.compare_exchange_strong(empty, pid)) {
            return;
        }
    }
}

void unregister_child(pid_t pid) {
    for (auto& slot : registry) {
        pid_t expected = pid;
        if (slot.compare_exchange_strong(expected, 0)) {
            return;
        }
    }
}

extern "C" void on_terminate(int signal_number) {
    for (auto& slot : registry) {
        const pid_t pid = slot.load();
        if (pid > 0) {
            ::kill(pid, SIGTERM);
        }
    }
    // Give them a moment to stop their own children (the engine stops its handlers), then go.
    for (auto& slot : registry) {
        const pid_t pid = slot.load();
        if (pid > 0) {
            for (int i = 0; i < 200 && ::waitpid(pid, nullptr, WNOHANG) == 0; ++i) {
                ::usleep(10'000);
            }
            ::kill(pid, SIGKILL);
        }
    }
    ::_exit(128 + signal_number);
}

}  // namespace

child_process::child_process(std::string name, std::vector<std::string> argv,
                             const std::filesystem::path& stdout_file,
                             const std::filesystem::path& stderr_file)
    : name_(std::move(name)), stdout_file_(stdout_file), stderr_file_(stderr_file) {
    // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (auto& arg : argv) {
        args.push_back(arg.data());
    }
    args.push_back(nullptr);
    const int out = ::open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int err = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0 || err < 0) {
        const int saved = errno;
        if (out >= 0) {
            ::close(out);
        }
        if (err >= 0) {
            ::close(err);
        }
        throw std::system_error(saved, std::generic_category(), "open " + stderr_file.string());
    }
    const pid_t parent = ::getpid();

    pid_ = ::fork();
    if (pid_ == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) {
            ::_exit(127);  // the benchmark died between fork and prctl
        }
        ::dup2(out, STDOUT_FILENO);
        ::dup2(err, STDERR_FILENO);
        const int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            ::dup2(devnull, STDIN_FILENO);
        }
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    const int saved = errno;
    ::close(out);
    ::close(err);
    if (pid_ < 0) {
        throw std::system_error(saved, std::generic_category(), "fork");
    }
    register_child(pid_);
}

child_process::~child_process() {
    stop();
}

bool child_process::running() {
    if (pid_ <= 0 || reaped_) {
        return false;
    }
    const pid_t r = ::waitpid(pid_, &wait_status_, WNOHANG);
    if (r == pid_) {
        reaped_ = true;
        unregister_child(pid_);
        return false;
    }
    return true;
}

std::string child_process::exit_description() const {
    if (!reaped_) {
        return "running";
    }
    if (WIFEXITED(wait_status_)) {
        return "exit status " + std::to_string(WEXITSTATUS(wait_status_));
    }
    if (WIFSIGNALED(wait_status_)) {
        return "signal " + std::to_string(WTERMSIG(wait_status_));
    }
    return "unknown status";
}

bool child_process::stop(std::chrono::milliseconds grace) {
    if (!running()) {
        return true;
    }
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!running()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    if (::waitpid(pid_, &wait_status_, 0) == pid_) {
        reaped_ = true;
    }
    unregister_child(pid_);
    return false;
}

std::optional<std::string> child_process::wait_for_line(
    const std::filesystem::path& file, const std::string& marker,
    std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        // Only complete lines count: the child may be halfway through writing the last one.
        std::ifstream in(file, std::ios::binary);
        const std::string text{std::istreambuf_iterator<char>(in),
                               std::istreambuf_iterator<char>()};
        for (std::size_t begin = 0, end; (end = text.find('\n', begin)) != std::string::npos;
             begin = end + 1) {
            const std::string_view line{text.data() + begin, end - begin};
            const auto at = line.find(marker);
            if (at != std::string_view::npos) {
                return std::string{line.substr(at + marker.size())};
            }
        }
        if (!running() || std::chrono::steady_clock::now() >= deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void install_cleanup_handlers() {
    struct sigaction action {};
    action.sa_handler = on_terminate;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
}

std::string tail_of(const std::filesystem::path& file, std::size_t max_lines) {
    std::ifstream in(file);
    std::deque<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(std::move(line));
        if (lines.size() > max_lines) {
            lines.pop_front();
        }
    }
    std::ostringstream out;
    for (const auto& l : lines) {
        out << "    " << l << '\n';
    }
    return out.str();
}

}  // namespace lambdaport::bench
