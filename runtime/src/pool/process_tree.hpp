#pragma once

#include <sys/types.h>

#include <string_view>
#include <vector>

// What /proc says about processes: who descends from whom, what they inherited and what they
// hold. Each call is one fresh look; a process may appear or go right after it.
namespace lambdaport::runtime::pool::process_tree {

/// Every process and its parent, from one scan of /proc.
class snapshot {
  public:
    struct entry {
        pid_t pid;
        pid_t parent;
        bool zombie;
    };

    snapshot();
    /// `roots` (first, as given) and every live process below them.
    std::vector<pid_t> below(std::vector<pid_t> roots) const;
    /// The processes whose parent is `parent`, zombies included.
    std::vector<entry> children(pid_t parent) const;

  private:
    std::vector<entry> entries_;
};

/// True when the environment `pid` was started with holds `entry` ("NAME=value").
bool environment_has(pid_t pid, std::string_view entry);
/// True when one of `pid`'s descriptors is the socket whose inode is `inode`.
bool holds_socket(pid_t pid, ino_t inode);
/// A process holding the socket `inode`, or -1. Reads the descriptors of every process: only for
/// rare events.
pid_t socket_holder(ino_t inode);

}  // namespace lambdaport::runtime::pool::process_tree
