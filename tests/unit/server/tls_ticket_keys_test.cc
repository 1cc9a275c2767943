#include "edge/server/tls_ticket_keys.h"

#include <gtest/gtest.h>

namespace relais {
namespace {

constexpr std::int64_t kPeriod = 3600;

TEST(TicketKeyRing, SealsWithOneKeyWithinAPeriod) {
  TicketKeyRing ring(kPeriod, 1000);
  TicketKey a = ring.sealing_key(1000);
  TicketKey b = ring.sealing_key(1000 + kPeriod - 1);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.aes, b.aes);
  auto found = ring.opening_key(a.name.data(), 1000 + 10);
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->current);
  EXPECT_EQ(found->key.hmac, a.hmac);
}

TEST(TicketKeyRing, RotatesAndStillOpensThePreviousKeyForOnePeriod) {
  TicketKeyRing ring(kPeriod, 0);
  TicketKey old_key = ring.sealing_key(0);
  TicketKey new_key = ring.sealing_key(kPeriod);
  EXPECT_NE(old_key.name, new_key.name);
  EXPECT_NE(old_key.aes, new_key.aes);
  auto previous = ring.opening_key(old_key.name.data(), kPeriod + 1);
  ASSERT_TRUE(previous);
  EXPECT_FALSE(previous->current) << "a ticket under the previous key is renewed";
  // One more rotation: the first key is gone, a full handshake follows.
  (void)ring.sealing_key(2 * kPeriod);
  EXPECT_FALSE(ring.opening_key(old_key.name.data(), 2 * kPeriod + 1));
  EXPECT_TRUE(ring.opening_key(new_key.name.data(), 2 * kPeriod + 1));
}

TEST(TicketKeyRing, IdleForTwoPeriodsForgetsBothKeys) {
  TicketKeyRing ring(kPeriod, 0);
  TicketKey old_key = ring.sealing_key(0);
  EXPECT_FALSE(ring.opening_key(old_key.name.data(), 2 * kPeriod + 5));
}

TEST(TicketKeyRing, UnknownNameIsNotOpened) {
  TicketKeyRing ring(kPeriod, 0);
  unsigned char name[16] = {};
  EXPECT_FALSE(ring.opening_key(name, 1));
}

}  // namespace
}  // namespace relais
