#include "edge/server/socket_address.h"

#include <gtest/gtest.h>

namespace relais {
namespace {

TEST(SocketAddress, ParsesIpv4AndBracketedIpv6) {
  auto v4 = parse_socket_address("127.0.0.1:8080");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->family(), AF_INET);
  EXPECT_EQ(v4->port(), 8080);
  EXPECT_EQ(v4->to_string(), "127.0.0.1:8080");
  auto v6 = parse_socket_address("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->family(), AF_INET6);
  EXPECT_EQ(v6->to_string(), "[::1]:0");
}

TEST(SocketAddress, RejectsWhatIsNotAnAddressAndPort) {
  for (const char* bad : {"", "8080", "localhost:80", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "::1:80",
                          "[::1]", "[::1]80", "[zz::]:80", "1.2.3:80", "127.0.0.1:80x"}) {
    EXPECT_FALSE(parse_socket_address(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace relais
