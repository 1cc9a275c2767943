#include "edge/server/listener.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace relais {

Result<UniqueFd> open_listener(const SocketAddress& address, bool reuse_port, unsigned defer_accept_s) {
  auto fail = [&](const char* what) {
    return Error::config(std::string(what) + " " + address.to_string() + ": " + std::strerror(errno));
  };
  UniqueFd fd(::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fail("socket");
  int one = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) return fail("SO_REUSEADDR");
  if (reuse_port && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) return fail("SO_REUSEPORT");
  if (address.family() == AF_INET6 && ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0)
    return fail("IPV6_V6ONLY");
  // A deferred connection waits in the SYN queue until its first data: a
  // burst of new clients fills that queue (min(backlog, somaxconn)) and the
  // kernel answers the rest with SYN cookies, which carry only a coarse MSS
  // (1460 on a 64 KiB-MTU loopback: 4x the segments) and no window for the
  // queue time. Off unless asked for.
  if (defer_accept_s > 0) {
    int defer = static_cast<int>(defer_accept_s);
    (void)::setsockopt(fd.get(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof defer);
  }
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0) return fail("bind");
  if (::listen(fd.get(), kListenBacklog) != 0) return fail("listen");
  return fd;
}

}  // namespace relais
