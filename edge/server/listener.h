// Listening sockets: one per worker and address, bound with SO_REUSEPORT so
// the kernel spreads new connections across workers without a shared accept
// lock (the nginx "reuseport" model).
#pragma once

#include "edge/server/socket_address.h"
#include "origin-sync/result.h"
#include "origin-sync/unique_fd.h"

namespace relais {

// Backlog large enough for a Monday-morning burst of new connections; the
// kernel clamps it to net.core.somaxconn.
inline constexpr int kListenBacklog = 4096;

// Non-blocking, close-on-exec, SO_REUSEADDR (+ SO_REUSEPORT when reuse_port),
// IPV6_V6ONLY for IPv6 so "[::]" and "0.0.0.0" can both be listed.
// defer_accept_s > 0 sets TCP_DEFER_ACCEPT (--defer-accept, off by default:
// relais-edge.conf says why).
Result<UniqueFd> open_listener(const SocketAddress& address, bool reuse_port, unsigned defer_accept_s = 0);

}  // namespace relais
