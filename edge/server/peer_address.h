// PeerAddress: a client's IP address in 17 bytes, formatted only when logged.
//
// sockaddr_storage is 128 bytes; an idle connection should not carry that.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace relais {

struct PeerAddress {
  std::uint8_t bytes[16] = {};
  std::uint8_t family = 0;  // AF_INET or AF_INET6 (fits a byte on Linux)

  static PeerAddress from_sockaddr(const sockaddr* address);
  // "203.0.113.7" or "2001:db8::1"; written into out (at least 46 bytes); returns length.
  std::size_t format(char* out) const;
  // The address as a number, never 0 (a key to count by, not a secret:
  // FNV-1a of its bytes and family).
  std::uint64_t key() const {
    std::uint64_t h = 14695981039346656037ull;
    for (std::uint8_t b : bytes) h = (h ^ b) * 1099511628211ull;
    h = (h ^ family) * 1099511628211ull;
    return h == 0 ? 1 : h;
  }
};

}  // namespace relais
