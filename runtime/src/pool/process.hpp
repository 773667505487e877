#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "pool/containment.hpp"

// One handler process: spawned with its own process group and containment (so every process it
// starts ends with it), only its standard descriptors, its output on one pipe, its memory limited,
// and a pidfd so the engine can wait for its exit without SIGCHLD.
namespace lambdaport::runtime::pool {

struct spawn_options {
    std::filesystem::path executable;
    std::filesystem::path working_dir;
    std::vector<std::string> environment;  // "NAME=value"
    unsigned memory_mb = 0;                // 0: no limit
    /// One entry of `environment` that no other process has: how the subreaper containment tells
    /// this process's orphans from others' (see containment.hpp).
    std::string marker;
};

/// How the memory limit is enforced: RLIMIT_DATA on the process (so allocations past the limit
/// fail), and the pool's watchdog, which kills a process whose resident memory goes past it. Builds
/// with sanitizers use the watchdog alone. Said at start-up and in the README.
const char* memory_limit_mechanism();

class process {
  public:
    /// Starts `options.executable`. Its stdout and stderr both go to output_fd(). Throws
    /// std::system_error when the pipe, the pidfd or the spawn fails.
    static process spawn(const spawn_options& options);

    process() = default;
    process(process&& other) noexcept;
    process& operator=(process&& other) noexcept;
    ~process();

    pid_t pid() const { return pid_; }
    /// Readable when the process has exited.
    int pidfd() const { return pidfd_; }
    /// The read end of the process's stdout+stderr pipe (non-blocking).
    int output_fd() const { return output_fd_; }

    /// Takes the descriptors away (the caller now owns and closes them).
    int release_pidfd();
    int release_output_fd();

    /// Sends `signal` to the process's whole group; SIGKILL also ends every process it started
    /// (its containment). Safe to call after exit.
    void kill(int signal);
    /// Reaps the process if it has exited, and kills what it left behind: true and its status.
    bool try_wait(int& status);
    /// The live processes of its containment, the process itself first (see containment.hpp).
    std::vector<pid_t> members() const { return scope_.members(); }
    /// Peak resident memory so far (VmHWM), in kB; 0 when unknown.
    std::uint64_t peak_rss_kb() const;
    /// Resident memory now, in kB (one small read of /proc); 0 when unknown.
    std::uint64_t rss_kb() const;

  private:
    void reaped();

    pid_t pid_ = -1;
    int pidfd_ = -1;
    int output_fd_ = -1;
    bool reaped_ = false;
    containment scope_;
};

/// "exit status 42" or "signal: killed", as Lambda words a runtime's end.
std::string describe_exit(int wait_status);

}  // namespace lambdaport::runtime::pool
