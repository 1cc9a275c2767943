#include "edge/server/peer_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace relais {

PeerAddress PeerAddress::from_sockaddr(const sockaddr* address) {
  PeerAddress peer;
  if (address->sa_family == AF_INET) {
    const auto* in4 = reinterpret_cast<const sockaddr_in*>(address);
    std::memcpy(peer.bytes, &in4->sin_addr, 4);
    peer.family = AF_INET;
  } else if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    std::memcpy(peer.bytes, &in6->sin6_addr, 16);
    peer.family = AF_INET6;
  }
  return peer;
}

std::size_t PeerAddress::format(char* out) const {
  if (family != AF_INET && family != AF_INET6) {
    out[0] = '-';
    return 1;
  }
  if (::inet_ntop(family, bytes, out, INET6_ADDRSTRLEN) == nullptr) {
    out[0] = '-';
    return 1;
  }
  return std::strlen(out);
}

}  // namespace relais
