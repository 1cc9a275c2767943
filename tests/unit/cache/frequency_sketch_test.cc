#include "edge/cache/frequency_sketch.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace relais {
namespace {

ContentHash key(std::uint64_t i) { return ContentHash{i, 0}; }  // sequential on purpose: the sketch mixes

TEST(FrequencySketch, FirstRequestOnlyReachesTheDoorkeeper) {
  FrequencySketch sketch(1024);
  EXPECT_EQ(sketch.estimate(key(1)), 0u);
  sketch.increment(key(1));
  EXPECT_EQ(sketch.estimate(key(1)), 1u);
  sketch.increment(key(1));
  EXPECT_EQ(sketch.estimate(key(1)), 2u);
  EXPECT_EQ(sketch.estimate(key(2)), 0u);
}

TEST(FrequencySketch, CountersSaturateAtFifteen) {
  FrequencySketch sketch(1024);
  for (int i = 0; i < 100; ++i) sketch.increment(key(7));
  EXPECT_EQ(sketch.estimate(key(7)), FrequencySketch::kMaxCount + 1u);  // 15 + the doorkeeper bit
}

TEST(FrequencySketch, AgingHalvesCountsAndClearsTheDoorkeeper) {
  FrequencySketch sketch(4096);   // roomy: no collisions blur the counts
  sketch.set_cache_objects(64);  // aging every 640 requests
  ASSERT_EQ(sketch.sample_size(), 640u);
  for (int i = 0; i < 11; ++i) sketch.increment(key(1));  // doorkeeper + 10 in the counters
  EXPECT_EQ(sketch.estimate(key(1)), 11u);
  EXPECT_EQ(sketch.agings(), 0u);
  // Other keys, each once: they only fill the doorkeeper, until the sample ends.
  for (std::uint64_t k = 100; sketch.agings() == 0; ++k) sketch.increment(key(k));
  EXPECT_EQ(sketch.agings(), 1u);
  EXPECT_EQ(sketch.estimate(key(1)), 0u);  // doorkeeper cleared, counters halved...
  sketch.increment(key(1));
  EXPECT_EQ(sketch.estimate(key(1)), 6u);  // ...10 / 2 = 5, + the doorkeeper again
}

TEST(FrequencySketch, EstimatesRankHotAboveColdAmongManyKeys) {
  FrequencySketch sketch(4096);
  for (int round = 0; round < 8; ++round) {
    for (std::uint64_t k = 0; k < 100; ++k) sketch.increment(key(k));       // hot: 8 each
    for (std::uint64_t k = 0; k < 400; ++k) sketch.increment(key(1000 + round * 400 + k));  // once each
  }
  int hot_above = 0;
  for (std::uint64_t k = 0; k < 100; ++k) hot_above += sketch.estimate(key(k)) >= 8 ? 1 : 0;
  int cold_high = 0;
  for (std::uint64_t k = 1000; k < 1000 + 8 * 400; ++k) cold_high += sketch.estimate(key(k)) >= 3 ? 1 : 0;
  EXPECT_EQ(hot_above, 100);     // count-min never underestimates (before aging)
  EXPECT_LT(cold_high, 3200 / 50);  // collisions inflate few one-hit keys
}

TEST(FrequencySketch, MemoryIsFixedBySizing) {
  FrequencySketch small(0), big(100'000);
  EXPECT_EQ(small.table_bytes(), 64 * 8 + 8 * 8);               // the minimum
  EXPECT_EQ(big.table_bytes(), 131072 * 8 + 131072 / 8 * 8);    // rounded to 2^17 objects
  for (std::uint64_t k = 0; k < 1'000'000; ++k) small.increment(key(k));
  EXPECT_EQ(small.table_bytes(), 64 * 8 + 8 * 8);
}

TEST(FrequencySketch, SameSeedSameCountsOtherSeedOtherCollisions) {
  FrequencySketch a(64, 1), b(64, 1), c(64, 2);
  for (std::uint64_t k = 0; k < 5000; ++k) {
    a.increment(key(k % 300));
    b.increment(key(k % 300));
    c.increment(key(k % 300));
  }
  int differ = 0;
  for (std::uint64_t k = 0; k < 300; ++k) {
    EXPECT_EQ(a.estimate(key(k)), b.estimate(key(k)));
    differ += a.estimate(key(k)) != c.estimate(key(k)) ? 1 : 0;
  }
  EXPECT_GT(differ, 0);
}

}  // namespace
}  // namespace relais
