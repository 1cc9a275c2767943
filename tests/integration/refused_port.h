// A base URL whose port refuses connections (pull-through failover tests:
// edge_pull_failover_test.cc, edge_pull_pass_test.cc).
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace relais::testing {

// A base URL whose port refuses connections: an origin that was, and is gone.
// A port bound but never listened on refuses connections, and stays ours
// while the test runs: a port merely freed can be taken again (once by the
// edge's own admin listener, which then answered as "the first origin").
class RefusedPorts {
 public:
  ~RefusedPorts() {
    for (int fd : fds_) ::close(fd);
  }
  std::string url() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof a;
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length), 0);
    fds_.push_back(fd);
    return "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  }

 private:
  std::vector<int> fds_;
};

inline std::string refused_url() {
  static RefusedPorts ports;
  return ports.url();
}

}  // namespace relais::testing
