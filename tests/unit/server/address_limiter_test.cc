#include "edge/server/address_limiter.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

namespace relais {
namespace {

PeerAddress address(const char* text) {
  sockaddr_storage s{};
  if (inet_pton(AF_INET, text, &reinterpret_cast<sockaddr_in*>(&s)->sin_addr) == 1) {
    s.ss_family = AF_INET;
  } else {
    inet_pton(AF_INET6, text, &reinterpret_cast<sockaddr_in6*>(&s)->sin6_addr);
    s.ss_family = AF_INET6;
  }
  return PeerAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&s));
}

TEST(AddressLimiter, ConnectionLimitPerAddressAndRelease) {
  AddressLimiter limiter({2, 0, 0}, {}, 1024, 42);
  auto a = limiter.ticket(address("192.0.2.1"));
  auto b = limiter.ticket(address("192.0.2.2"));
  EXPECT_TRUE(limiter.open_connection(a, 0));
  EXPECT_TRUE(limiter.open_connection(a, 0));
  EXPECT_FALSE(limiter.open_connection(a, 0));
  EXPECT_TRUE(limiter.open_connection(b, 0));  // another client is not affected
  limiter.close_connection(a);
  EXPECT_TRUE(limiter.open_connection(a, 0));
}

TEST(AddressLimiter, RequestRateFollowsGcraWithBurst) {
  AddressLimiter limiter({0, 10, 5}, {}, 1024, 7);  // 10/s, burst 5
  auto t = limiter.ticket(address("198.51.100.9"));
  std::uint64_t now = 1'000'000;
  int allowed = 0;
  while (limiter.admit_request(t, now) == 0 && allowed < 100) ++allowed;
  EXPECT_EQ(allowed, 6);  // one at the rate plus the burst
  std::uint64_t wait = limiter.admit_request(t, now);
  EXPECT_GT(wait, 0u);
  EXPECT_LE(wait, 101u);
  EXPECT_EQ(limiter.admit_request(t, now + 100), 0u);  // one interval later, one more
  EXPECT_GT(limiter.admit_request(t, now + 100), 0u);
  EXPECT_EQ(limiter.admit_request(t, now + 10'000), 0u);  // a quiet client is forgiven
}

TEST(AddressLimiter, Ipv6AddressesOfOneSlash64ShareLimits) {
  AddressLimiter limiter({1, 0, 0}, {}, 1024, 3);
  auto a = limiter.ticket(address("2001:db8:1:2::1"));
  auto b = limiter.ticket(address("2001:db8:1:2:ffff::9"));
  auto other = limiter.ticket(address("2001:db8:1:3::1"));
  EXPECT_TRUE(limiter.open_connection(a, 0));
  EXPECT_FALSE(limiter.open_connection(b, 0));
  EXPECT_TRUE(limiter.open_connection(other, 0));
}

TEST(AddressLimiter, NetworkLimitsOverrideDefaultsMostSpecificWins) {
  auto school = parse_network_limits("10.1.0.0/16=100:0:0");
  auto lab = parse_network_limits("10.1.2.0/24=3:0:0");
  ASSERT_TRUE(school.ok() && lab.ok());
  AddressLimiter limiter({1, 0, 0}, {school.value(), lab.value()}, 1024, 9);
  auto nat = limiter.ticket(address("10.1.9.9"));
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.open_connection(nat, 0));
  EXPECT_FALSE(limiter.open_connection(nat, 0));
  auto lab_host = limiter.ticket(address("10.1.2.3"));
  EXPECT_EQ(limiter.limits_of(lab_host).connections, 3u);
  auto outsider = limiter.ticket(address("10.2.0.1"));
  EXPECT_EQ(limiter.limits_of(outsider).connections, 1u);
}

TEST(AddressLimiter, SeedChangesSlotPlacement) {
  AddressLimiter one({1, 0, 0}, {}, 1 << 16, 1);
  AddressLimiter two({1, 0, 0}, {}, 1 << 16, 2);
  int same = 0;
  for (int i = 0; i < 64; ++i) {
    std::string ip = "203.0.113." + std::to_string(i);
    same += one.ticket(address(ip.c_str())).slot == two.ticket(address(ip.c_str())).slot;
  }
  EXPECT_LT(same, 4);
}

TEST(AddressLimiter, DisabledWhenEverythingIsZero) {
  AddressLimiter limiter({0, 0, 0}, {}, 16, 1);
  EXPECT_FALSE(limiter.enabled());
}

TEST(AddressLimiter, ParseNetworkLimitsRejectsMalformed) {
  for (const char* bad : {"10.0.0.0=1:2:3", "10.0.0.0/33=1:2:3", "10.0.0.0/8", "10.0.0.0/8=1:2", "x/8=1:2:3",
                          "10.0.0.0/8=a:b:c", "::/129=1:1:1", "10.0.0.0/8=1:-2:3"}) {
    EXPECT_FALSE(parse_network_limits(bad).ok()) << bad;
  }
  auto v6 = parse_network_limits("2001:db8::/32=50:100.5:200");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->prefix_length, 32);
  EXPECT_DOUBLE_EQ(v6->limits.rate, 100.5);
}

}  // namespace
}  // namespace relais
