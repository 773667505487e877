#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace lambdaport::bench {

/// The first of `candidates` that is a regular file (canonical), else the first candidate: one
/// beside the benchmark in its build tree, then the path the build recorded (so a moved build tree
/// still finds its siblings).
std::filesystem::path find_executable(std::initializer_list<std::filesystem::path> candidates);

/// A child process the benchmark started, known by its PID, with standard output and standard
/// error written to files (so a chatty child never blocks on a full pipe and costs us no reader).
///
/// The child is stopped by PID — SIGTERM, then SIGKILL after a grace period — when `stop` is
/// called or the object is destroyed. Every running child is also registered with
/// `install_cleanup_handlers`, which stops them if the benchmark itself gets SIGINT or SIGTERM,
/// and each child gets SIGTERM should the benchmark die without cleaning up (PR_SET_PDEATHSIG).
class child_process {
  public:
    /// Starts `argv[0]` with `argv`. Throws `std::system_error` if it cannot be started.
    child_process(std::string name, std::vector<std::string> argv,
                  const std::filesystem::path& stdout_file,
                  const std::filesystem::path& stderr_file);
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    pid_t pid() const noexcept { return pid_; }
    const std::string& name() const noexcept { return name_; }
    const std::filesystem::path& stdout_file() const noexcept { return stdout_file_; }
    const std::filesystem::path& stderr_file() const noexcept { return stderr_file_; }

    /// Whether the child is still running (reaps it if it has exited).
    bool running();
    /// A description of how it exited ("exit status 1", "signal 9"), once it has.
    std::string exit_description() const;

    /// Stops the child: SIGTERM, then SIGKILL after `grace`. Returns true if it exited in grace.
    bool stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

    /// Polls `file` until a line containing `marker` appears and returns what follows the marker
    /// on that line. Fails (nullopt) at `deadline` or when the child exits first.
    std::optional<std::string> wait_for_line(const std::filesystem::path& file,
                                             const std::string& marker,
                                             std::chrono::steady_clock::time_point deadline);

  private:
    std::string name_;
    std::filesystem::path stdout_file_;
    std::filesystem::path stderr_file_;
    pid_t pid_ = -1;
    bool reaped_ = false;
    int wait_status_ = 0;
};

/// Installs SIGINT/SIGTERM handlers that stop every running child and exit, and ignores SIGPIPE.
void install_cleanup_handlers();

/// The last `max_lines` lines of a text file, for error messages.
std::string tail_of(const std::filesystem::path& file, std::size_t max_lines = 20);

}  // namespace lambdaport::bench
