#include "pool/peer_check.hpp"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "pool/process_tree.hpp"

namespace lambdaport::runtime::pool {
namespace {

// Asks the kernel for the one TCP socket whose local end is `local` and remote end `remote`
// (sock_diag, an exact lookup in the connection hash: the /proc/net/tcp text lists every socket
// and cost milliseconds on a busy machine). Returns its inode; 0 when there is none. A dual-stack
// socket connected over IPv4 is found through its IPv4 addresses.
ino_t lookup_tcp_socket(int family, const void* local_addr, std::uint16_t local_port,
                        const void* remote_addr, std::uint16_t remote_port) {
    int nl = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (nl < 0) {
        return 0;
    }
    struct {
        nlmsghdr header;
        inet_diag_req_v2 request;
    } message{};
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_REQUEST;
    auto& r = message.request;
    r.sdiag_family = std::uint8_t(family);
    r.sdiag_protocol = IPPROTO_TCP;
    r.idiag_states = ~0U;
    // Port numbers in network order, as in sockaddr_in(6).
    r.id.idiag_sport = local_port;
    r.id.idiag_dport = remote_port;
    std::memcpy(r.id.idiag_src, local_addr, family == AF_INET ? 4 : 16);
    std::memcpy(r.id.idiag_dst, remote_addr, family == AF_INET ? 4 : 16);
    r.id.idiag_cookie[0] = r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    ino_t inode = 0;
    if (::sendto(nl, &message, sizeof message, 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof kernel) == ssize_t(sizeof message)) {
        alignas(nlmsghdr) char buf[8192];
        ssize_t n = ::recv(nl, buf, sizeof buf, 0);
        auto* h = reinterpret_cast<nlmsghdr*>(buf);
        if (n > 0 && NLMSG_OK(h, std::size_t(n)) && h->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
            const auto* m = static_cast<const inet_diag_msg*>(NLMSG_DATA(h));
            // The lookup falls back to a listener on the local port: only the connection counts.
            if (m->id.idiag_dport == remote_port &&
                std::memcmp(m->id.idiag_dst, remote_addr, family == AF_INET ? 4 : 16) == 0) {
                inode = ino_t(m->idiag_inode);
            }
        }
    }
    ::close(nl);
    return inode;
}

}  // namespace

peer find_peer(int fd) {
    peer out;
    sockaddr_storage ours{}, theirs{};
    socklen_t ours_len = sizeof ours, theirs_len = sizeof theirs;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ours), &ours_len) != 0 ||
        ::getpeername(fd, reinterpret_cast<sockaddr*>(&theirs), &theirs_len) != 0 ||
        ours.ss_family != theirs.ss_family) {
        return out;
    }
    char host[INET6_ADDRSTRLEN] = "";
    // The peer's socket: its local end is our remote end, and the other way round.
    if (ours.ss_family == AF_INET) {
        const auto& o = reinterpret_cast<const sockaddr_in&>(ours);
        const auto& t = reinterpret_cast<const sockaddr_in&>(theirs);
        ::inet_ntop(AF_INET, &t.sin_addr, host, sizeof host);
        out.address = std::string(host) + ":" + std::to_string(ntohs(t.sin_port));
        out.inode = lookup_tcp_socket(AF_INET, &t.sin_addr, t.sin_port, &o.sin_addr, o.sin_port);
    } else if (ours.ss_family == AF_INET6) {
        const auto& o = reinterpret_cast<const sockaddr_in6&>(ours);
        const auto& t = reinterpret_cast<const sockaddr_in6&>(theirs);
        ::inet_ntop(AF_INET6, &t.sin6_addr, host, sizeof host);
        out.address = "[" + std::string(host) + "]:" + std::to_string(ntohs(t.sin6_port));
        out.inode =
            lookup_tcp_socket(AF_INET6, &t.sin6_addr, t.sin6_port, &o.sin6_addr, o.sin6_port);
    }
    return out;
}

bool held_by_any(const std::vector<pid_t>& pids, ino_t inode) {
    for (pid_t pid : pids) {
        if (process_tree::holds_socket(pid, inode)) {
            return true;
        }
    }
    return false;
}

}  // namespace lambdaport::runtime::pool
