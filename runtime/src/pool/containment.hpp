#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

// Every process an instance starts ends with it: also the ones that left its process group or
// session (setsid) and the ones whose parent exited (double fork). Two mechanisms, chosen once at
// start-up:
// - cgroup: each instance runs in its own cgroup v2 below the engine's, ended whole through
//   cgroup.kill. Used where the engine can create cgroups (kernel 5.14 or later).
// - subreaper: the engine becomes a child subreaper, so the orphans of an instance's processes are
//   re-parented to the engine rather than to init. Once an instance's leader is gone, the engine
//   kills its adopted children that carry the instance's marker (an environment entry only that
//   instance has) and everything below them, and reaps the orphans that exit. A process whose
//   parent is gone and whose environment lacks the marker (it replaced its environment) escapes.
namespace lambdaport::runtime::pool {

namespace process_tree {
class snapshot;
}

/// Chooses and sets up the mechanism; call once before the first instance starts.
/// `allow_cgroup` false forces the subreaper. Returns the mechanism's description.
const char* setup_containment(bool allow_cgroup);
/// The description of the mechanism chosen, for the start-up line.
const char* containment_mechanism();
/// True when the engine is a subreaper and must call reap_orphans() on SIGCHLD.
bool containment_reaps();
/// Reaps the adopted orphans that have exited; leaves the engine's own handler processes to
/// whoever waits for them.
void reap_orphans();
/// Ends what setup_containment made (the engine's cgroups); call after every instance is gone.
void teardown_containment();

/// The processes of one instance, besides its leader's process group.
class containment {
  public:
    /// Prepares a fresh scope (in the cgroup mechanism, a new cgroup). `marker` is an environment
    /// entry that only this instance's processes have. Throws std::system_error.
    explicit containment(std::string marker);
    containment() = default;
    containment(containment&& other) noexcept;
    containment& operator=(containment&& other) noexcept;
    ~containment();

    /// A descriptor of the cgroup's cgroup.procs, which the spawned child writes "0" to, joining
    /// the cgroup before it runs anything; -1 without cgroup. Closed by started().
    int join_fd() const { return join_fd_; }
    /// The leader is running.
    void started(pid_t leader);
    /// The leader has been reaped: its pid is no longer its own.
    void leader_reaped();
    /// The instance's live processes, the leader first when it lives.
    std::vector<pid_t> members() const;
    /// Kills every process of the instance (SIGKILL). In the subreaper mechanism only once the
    /// leader has been reaped (its owner signals the leader and its group before).
    void kill_all();

  private:
    void release();
    std::vector<pid_t> roots(const process_tree::snapshot& now) const;

    std::string marker_;
    std::string cgroup_;  // empty: the subreaper mechanism
    int join_fd_ = -1;
    pid_t leader_ = -1;
};

/// A handler process the engine waits for itself: reap_orphans() leaves it alone.
void register_leader(pid_t pid);
void unregister_leader(pid_t pid);

}  // namespace lambdaport::runtime::pool
