// SocketAddress: an IPv4 or IPv6 address and port, parsed from "ADDR:PORT".
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "origin-sync/result.h"

namespace relais {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  int family() const { return storage.ss_family; }
  std::uint16_t port() const;
  void set_port(std::uint16_t port);
  // "127.0.0.1:8080" or "[::1]:8080".
  std::string to_string() const;
};

// "0.0.0.0:8080", "127.0.0.1:0", "[::]:8080", "[::1]:8443". Host names are
// not resolved: a listener must not depend on DNS at start-up.
Result<SocketAddress> parse_socket_address(std::string_view text);

// The address a connected or bound socket has on our side.
Result<SocketAddress> local_address(int fd);

}  // namespace relais
