#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

// Who is at the other end of a loopback TCP connection: the socket the peer connected with, found
// by the kernel's socket diagnostics (sock_diag), and whether given processes hold it.
namespace lambdaport::runtime::pool {

struct peer {
    ino_t inode = 0;      // the peer's socket; 0 when it is not found
    std::string address;  // the peer's HOST:PORT, for the log
};

/// The socket at the other end of the connected socket `fd` (this process's end). Only this
/// network namespace is searched: a peer elsewhere is not found.
peer find_peer(int fd);

/// True when one of `pids` holds the socket `inode`.
bool held_by_any(const std::vector<pid_t>& pids, ino_t inode);

}  // namespace lambdaport::runtime::pool
