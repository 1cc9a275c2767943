#include "origin-sync/publication_state.h"

#include <gtest/gtest.h>

#include "tests/unit/origin-sync/scratch_dir.h"

namespace relais {
namespace {

PublicationStamp stamp(std::int64_t published, std::uint64_t digest) {
  PublicationStamp s;
  s.published = published;
  s.digest = ContentHash{digest, digest};
  return s;
}

TEST(PublicationState, OrdersAgainstTheFloorTable) {
  const PublicationState floor{1000, ContentHash{7, 7}};
  EXPECT_EQ(*order_against(std::nullopt, stamp(5, 1)), PublicationOrder::newer);
  EXPECT_EQ(*order_against(floor, stamp(1001, 1)), PublicationOrder::newer);
  EXPECT_EQ(*order_against(floor, stamp(1000, 7)), PublicationOrder::same);
  EXPECT_FALSE(order_against(floor, stamp(999, 7)).ok());   // older, whatever its bytes
  EXPECT_FALSE(order_against(floor, stamp(1000, 8)).ok());  // as old with other bytes
  // From the future (found by the hostile review: a publisher clock ten
  // years ahead froze every edge): refused beyond a day ahead of the clock.
  EXPECT_EQ(*order_against(floor, stamp(2000 + kMaxPublicationAhead, 9), 2000), PublicationOrder::newer);
  auto ahead = order_against(floor, stamp(2001 + kMaxPublicationAhead, 9), 2000);
  ASSERT_FALSE(ahead.ok());
  EXPECT_NE(ahead.error().message.find("ahead of this clock"), std::string::npos) << ahead.error().message;
}

TEST(PublicationState, SurvivesAsAFileAndRefusesAMalformedOne) {
  ScratchDir store;
  EXPECT_FALSE(read_publication_state(store.path())->has_value());
  const PublicationState s{1'700'000'000, ContentHash{1, 2}};
  ASSERT_TRUE(write_publication_state(store.path(), s).ok());
  EXPECT_EQ(read_publication_state(store.path())->value(), s);
  store.write(".publication", "relais-publication\t1\npublished\tsoon\nmanifest\tx\n");
  EXPECT_FALSE(read_publication_state(store.path()).ok());
}

}  // namespace
}  // namespace relais
