#include "edge/cache/ghost_filter.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace relais {
namespace {

ContentHash key(std::uint64_t i) { return ContentHash{i, 0}; }  // sequential on purpose: the filter mixes

int remembered(const GhostFilter& ghost, std::uint64_t from, std::uint64_t to) {
  int n = 0;
  for (std::uint64_t k = from; k < to; ++k) n += ghost.contains(key(k)) ? 1 : 0;
  return n;
}

TEST(GhostFilter, RemembersBetweenOneAndTwoHorizonsOfDroppedBytes) {
  GhostFilter ghost(1000, 1000);  // roomy in keys: bytes decide
  for (std::uint64_t k = 0; k < 10; ++k) ghost.insert(key(k), 100);  // one horizon: rotates
  EXPECT_EQ(remembered(ghost, 0, 10), 10);
  for (std::uint64_t k = 10; k < 19; ++k) ghost.insert(key(k), 100);  // 900 more bytes
  EXPECT_EQ(remembered(ghost, 0, 19), 19);
  ghost.insert(key(19), 100);  // second rotation: keys 0..9 forgotten
  EXPECT_LE(remembered(ghost, 0, 10), 1);  // Bloom false positives only
  EXPECT_EQ(remembered(ghost, 10, 20), 10);
}

TEST(GhostFilter, RotatesByKeyCountWhenObjectsAreSmallerThanPlanned) {
  GhostFilter ghost(1 << 30, 64);  // a huge horizon in bytes, 64 keys planned
  for (std::uint64_t k = 0; k < 128; ++k) ghost.insert(key(k), 1);
  EXPECT_LE(remembered(ghost, 0, 64), 3);  // two generations of 64 keys since
  EXPECT_EQ(remembered(ghost, 64, 128), 64);
}

TEST(GhostFilter, FewFalsePositivesAtThePlannedLoad) {
  GhostFilter ghost(1 << 30, 10'000);
  for (std::uint64_t k = 0; k < 9'999; ++k) ghost.insert(key(k), 1);  // one generation, not rotated
  EXPECT_EQ(remembered(ghost, 0, 9'999), 9'999);  // never a false negative
  const int wrong = remembered(ghost, 1'000'000, 1'100'000);
  EXPECT_LT(wrong, 100'000 / 25);  // < 4 %: ~1 % expected at 10+ bits and 3 probes per key
}

TEST(GhostFilter, ReserveGrowsForgetsAndNeverShrinks) {
  GhostFilter ghost(1 << 30, 64);
  const std::size_t planned = ghost.table_bytes();
  for (std::uint64_t k = 0; k < 10; ++k) ghost.insert(key(k), 1);
  ghost.reserve(32);  // fewer than planned: no-op
  EXPECT_EQ(ghost.table_bytes(), planned);
  EXPECT_EQ(remembered(ghost, 0, 10), 10);
  ghost.reserve(1000);
  EXPECT_GE(ghost.table_bytes(), planned * 1000 / 64);
  EXPECT_EQ(remembered(ghost, 0, 10), 0);  // cleared: the old bits mean nothing at the new size
  for (std::uint64_t k = 0; k < 999; ++k) ghost.insert(key(k), 1);
  EXPECT_EQ(remembered(ghost, 0, 999), 999);  // 1000 keys per generation now
}

TEST(GhostFilter, MemoryDoesNotGrowWithTraffic) {
  GhostFilter ghost(4096, 100);
  const std::size_t bytes = ghost.table_bytes();
  for (std::uint64_t k = 0; k < 1'000'000; ++k) ghost.insert(key(k), k % 300);
  EXPECT_EQ(ghost.table_bytes(), bytes);
}

}  // namespace
}  // namespace relais
