// open_listener: the socket options a listener is made with.
#include "edge/server/listener.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

namespace relais {
namespace {

int defer_accept_of(int fd) {
  int value = -1;
  socklen_t length = sizeof value;
  EXPECT_EQ(::getsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &value, &length), 0);
  return value;
}

// Regression: deferred accept turned a burst of 10 000 new clients into SYN
// cookies (a coarse MSS, 4x the segments): it is off unless configured.
TEST(Listener, DefersAcceptOnlyWhenAsked) {
  auto address = parse_socket_address("127.0.0.1:0");
  ASSERT_TRUE(address.ok());
  auto plain = open_listener(address.value(), false);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(defer_accept_of(plain->get()), 0);

  auto deferred = open_listener(address.value(), false, 5);
  ASSERT_TRUE(deferred.ok());
  EXPECT_GT(defer_accept_of(deferred->get()), 0);  // the kernel rounds to its retransmission steps
}

TEST(Listener, AcceptsConnectionsWithoutTheirFirstByteByDefault) {
  auto address = parse_socket_address("127.0.0.1:0");
  ASSERT_TRUE(address.ok());
  auto listener = open_listener(address.value(), false);
  ASSERT_TRUE(listener.ok());
  sockaddr_in bound{};
  socklen_t length = sizeof bound;
  ASSERT_EQ(::getsockname(listener->get(), reinterpret_cast<sockaddr*>(&bound), &length), 0);
  UniqueFd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&bound), length), 0);
  // A blocking accept would wait for data with TCP_DEFER_ACCEPT; the listener
  // is non-blocking, so poll for the completed connection with a deadline.
  pollfd p{listener->get(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10000), 1) << "the connection was not offered before its first byte";
  UniqueFd accepted(::accept4(listener->get(), nullptr, nullptr, SOCK_CLOEXEC));
  EXPECT_TRUE(accepted.valid());
}

}  // namespace
}  // namespace relais
