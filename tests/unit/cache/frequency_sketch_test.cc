#include "edge/cache/frequency_sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace relais {
namespace {

ContentHash key(std::uint64_t i) { return ContentHash{i, 0}; }  // sequential on purpose: the sketch mixes

TEST(FrequencySketch, CountsEveryRequestFromTheFirst) {
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
  EXPECT_EQ(sketch.estimate(key(7)), FrequencySketch::kMaxCount);
}

TEST(FrequencySketch, AgingHalvesCounts) {
  FrequencySketch sketch(1024);   // roomy: no collisions blur the counts
  sketch.set_cache_objects(64);  // aging every 20 x 64 requests (more than the 1024 words)
  ASSERT_EQ(sketch.sample_size(), FrequencySketch::kSamplePerObject * 64);
  for (int i = 0; i < 11; ++i) sketch.increment(key(1));
  EXPECT_EQ(sketch.estimate(key(1)), 11u);
  EXPECT_EQ(sketch.agings(), 0u);
  // Other keys, each once, until the sample ends.
  for (std::uint64_t k = 100; sketch.agings() == 0; ++k) sketch.increment(key(k));
  EXPECT_EQ(sketch.agings(), 1u);
  EXPECT_EQ(sketch.estimate(key(1)), 5u);  // 11 / 2
  EXPECT_EQ(sketch.estimate(key(100)), 0u);  // 1 / 2: a one-hit key is forgotten
}

TEST(FrequencySketch, AgesAtMostOncePerTableWordSoHalvingStaysAmortised) {
  FrequencySketch sketch(100'000);  // 2^17 words, planned for a large tier
  sketch.set_cache_objects(1);      // holding one object (20 x 64 would mean a 1 MiB walk every 1280 requests)
  EXPECT_EQ(sketch.sample_size(), 131072u);
  for (int i = 0; i < 131071; ++i) sketch.increment(key(1));
  EXPECT_EQ(sketch.agings(), 0u);
  sketch.increment(key(1));
  EXPECT_EQ(sketch.agings(), 1u);
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

TEST(FrequencySketch, MemoryIsSetBySizingAndNotByTraffic) {
  FrequencySketch small(0), big(100'000);
  EXPECT_EQ(small.table_bytes(), 64u * 8);       // the minimum
  EXPECT_EQ(big.table_bytes(), 131072u * 8);     // rounded to 2^17 objects
  for (std::uint64_t k = 0; k < 1'000'000; ++k) small.increment(key(k));
  EXPECT_EQ(small.table_bytes(), 64u * 8);
  EXPECT_EQ(small.resizes(), 0u);
}

TEST(FrequencySketch, GrowsWithTheResidentCountAndNeverShrinks) {
  FrequencySketch sketch(64);
  sketch.set_cache_objects(16);  // 4 words each: exactly the 64 planned
  EXPECT_EQ(sketch.table_bytes(), 64u * 8);
  sketch.set_cache_objects(1000);  // smaller objects than planned
  EXPECT_EQ(sketch.table_bytes(), 4096u * 8);  // bit_ceil(4 x 1000) words
  EXPECT_EQ(sketch.resizes(), 1u);
  sketch.set_cache_objects(10);
  EXPECT_EQ(sketch.table_bytes(), 4096u * 8);
  EXPECT_EQ(sketch.resizes(), 1u);
}

TEST(FrequencySketch, GrowingKeepsEveryEstimate) {
  FrequencySketch sketch(64);
  // 300 keys in 64 words: crowded, so the estimates include collisions,
  // which growing must keep too (it copies, it does not recount).
  for (std::uint64_t k = 0; k < 300; ++k) {
    for (std::uint64_t i = 0; i <= k % 9; ++i) sketch.increment(key(k));
  }
  std::vector<unsigned> before;
  for (std::uint64_t k = 0; k < 400; ++k) before.push_back(sketch.estimate(key(k)));
  sketch.set_cache_objects(5000);
  ASSERT_EQ(sketch.resizes(), 1u);
  for (std::uint64_t k = 0; k < 400; ++k) EXPECT_EQ(sketch.estimate(key(k)), before[k]) << k;
  // New counts then spread over the larger table.
  sketch.increment(key(0));
  EXPECT_EQ(sketch.estimate(key(0)), std::min<unsigned>(before[0] + 1, FrequencySketch::kMaxCount));
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
