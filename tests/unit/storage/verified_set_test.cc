#include "edge/storage/verified_set.h"

#include <gtest/gtest.h>

namespace relais {
namespace {

TEST(VerifiedSet, RemembersWhatWasInsertedAndNothingElse) {
  VerifiedSet set;
  EXPECT_FALSE(set.contains(ContentHash{1, 2}));  // empty, nothing allocated yet
  set.insert(ContentHash{1, 2});
  set.insert(ContentHash{1, 2});
  EXPECT_TRUE(set.contains(ContentHash{1, 2}));
  EXPECT_EQ(set.size(), 1u);
  EXPECT_FALSE(set.contains(ContentHash{1, 3}));
  EXPECT_FALSE(set.contains(ContentHash{2, 2}));  // both halves count
  EXPECT_FALSE(set.contains(ContentHash{0, 0}));
  set.insert(ContentHash{0, 0});  // folds to the empty marker: stored all the same
  EXPECT_TRUE(set.contains(ContentHash{0, 0}));
}

TEST(VerifiedSet, ManySequentialKeysAllFound) {
  VerifiedSet set;
  for (std::uint64_t i = 0; i < 100'000; ++i) set.insert(ContentHash{i, 0xabc});
  for (std::uint64_t i = 0; i < 100'000; ++i) ASSERT_TRUE(set.contains(ContentHash{i, 0xabc})) << i;
  EXPECT_FALSE(set.contains(ContentHash{100'000, 0xabc}));
  EXPECT_EQ(set.size(), 100'000u);
}

TEST(VerifiedSet, EmptiesWhenHalfFullSoMemoryAndProbesStayBounded) {
  VerifiedSet set;
  const std::size_t half = VerifiedSet::kSlots / 2;
  for (std::uint64_t i = 0; i < half; ++i) set.insert(ContentHash{i, i * 7});
  EXPECT_EQ(set.size(), half);
  set.insert(ContentHash{~0ull, 1});  // one more: forgets the others first
  EXPECT_EQ(set.size(), 1u);
  EXPECT_TRUE(set.contains(ContentHash{~0ull, 1}));
  EXPECT_FALSE(set.contains(ContentHash{5, 35}));
  set.clear();
  EXPECT_EQ(set.size(), 0u);
  EXPECT_FALSE(set.contains(ContentHash{~0ull, 1}));
}

}  // namespace
}  // namespace relais
