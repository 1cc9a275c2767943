#include "edge/cache/s3fifo_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <list>
#include <random>
#include <unordered_map>
#include <vector>

#include "tests/unit/cache/policy_test_support.h"

namespace relais {
namespace {

using policy_test::key;
using policy_test::Lru;
using policy_test::request;
using policy_test::size_of;
using policy_test::Zipf;




TEST(S3FifoPolicy, NeverExceedsCapacityAndReportsEveryEvictionOverARandomTrace) {
  constexpr std::uint64_t kCapacity = 256 * 1024;
  S3FifoPolicy policy(kCapacity);
  std::unordered_map<std::uint64_t, std::uint64_t> resident;  // model: key -> bytes
  std::mt19937_64 rng(42);
  std::vector<ContentHash> evicted;
  for (int step = 0; step < 200'000; ++step) {
    std::uint64_t k = rng() % 2000;
    std::uint64_t bytes = size_of(k);
    int op = static_cast<int>(rng() % 100);
    if (op < 2) {
      policy.erase(key(k));
      resident.erase(k);
    } else if (policy.access(key(k))) {
      ASSERT_TRUE(resident.count(k)) << "hit on a key the model evicted, step " << step;
    } else {
      ASSERT_FALSE(resident.count(k)) << "miss on a resident key, step " << step;
      evicted.clear();
      ASSERT_TRUE(policy.insert(key(k), bytes, evicted));
      for (const ContentHash& v : evicted) {
        ASSERT_EQ(resident.erase(v.high), 1u) << "evicted a key that was not resident";
        ASSERT_NE(v.high, k);
      }
      resident[k] = bytes;
    }
    std::uint64_t sum = 0;
    if (step % 997 == 0) {
      for (auto& [rk, rb] : resident) sum += rb;
      ASSERT_EQ(policy.used_bytes(), sum);
    }
    ASSERT_LE(policy.used_bytes(), kCapacity);
    ASSERT_EQ(policy.objects(), resident.size());
    ASSERT_LE(policy.ghost_entries(), std::max(policy.objects(), S3FifoPolicy::kMinGhostEntries));
  }
}

TEST(S3FifoPolicy, OnePassScanOfTenTimesCapacityDoesNotEvictHotSet) {
  constexpr std::uint64_t kObject = 100;
  constexpr std::uint64_t kCapacity = 1000 * kObject;
  constexpr std::uint64_t kHot = 200;
  S3FifoPolicy policy(kCapacity);
  double ratio = policy_test::hot_set_hit_ratio_during_scan(policy, kCapacity, kObject, kHot);
  std::printf("[ measure  ] hot-set hit ratio during 10x scan: %.4f\n", ratio);
  EXPECT_GT(ratio, 0.9);
  std::uint64_t still = 0;
  for (std::uint64_t h = 0; h < kHot; ++h) still += policy.contains(key(h)) ? 1 : 0;
  EXPECT_GE(still, kHot * 9 / 10);
  EXPECT_LE(policy.used_bytes(), kCapacity);
}

TEST(S3FifoPolicy, OneHitWonderLeavesSmallForGhostAndItsReturnGoesToMain) {
  constexpr std::uint64_t kObject = 10;
  S3FifoPolicy policy(100);  // 10 objects; small holds 1
  std::vector<ContentHash> evicted;
  ASSERT_TRUE(policy.insert(key(0), kObject, evicted));
  EXPECT_TRUE(policy.contains(key(0)));
  EXPECT_FALSE(policy.in_main(key(0)));
  for (std::uint64_t k = 1; k <= 10; ++k) ASSERT_TRUE(policy.insert(key(k), kObject, evicted));
  ASSERT_EQ(evicted.size(), 1u);
  EXPECT_EQ(evicted[0], key(0));
  EXPECT_TRUE(policy.in_ghost(key(0)));
  EXPECT_FALSE(policy.contains(key(0)));
  EXPECT_FALSE(policy.access(key(0)));  // a ghost is not a hit
  ASSERT_TRUE(policy.insert(key(0), kObject, evicted));
  EXPECT_TRUE(policy.in_main(key(0)));
  EXPECT_FALSE(policy.in_ghost(key(0)));
  EXPECT_LE(policy.used_bytes(), 100u);
}

TEST(S3FifoPolicy, ObjectAccessedInSmallIsPromotedToMainInsteadOfEvicted) {
  S3FifoPolicy policy(100);
  std::vector<ContentHash> evicted;
  ASSERT_TRUE(policy.insert(key(0), 10, evicted));
  ASSERT_TRUE(policy.access(key(0)));
  for (std::uint64_t k = 1; k <= 10; ++k) ASSERT_TRUE(policy.insert(key(k), 10, evicted));
  EXPECT_TRUE(policy.in_main(key(0)));
  ASSERT_EQ(evicted.size(), 1u);
  EXPECT_EQ(evicted[0], key(1));  // the next oldest, never re-requested
}

TEST(S3FifoPolicy, MainReinsertsFrequentObjectsAndEvictsColdOnes) {
  S3FifoPolicy policy(100);
  std::vector<ContentHash> evicted;
  // Put 0..4 in main through the ghost path: insert, push out, re-insert.
  for (std::uint64_t k = 0; k < 10; ++k) ASSERT_TRUE(policy.insert(key(k), 10, evicted));
  for (std::uint64_t k = 10; k < 15; ++k) ASSERT_TRUE(policy.insert(key(k), 10, evicted));
  for (std::uint64_t k = 0; k < 5; ++k) {
    ASSERT_TRUE(policy.in_ghost(key(k)));
    ASSERT_TRUE(policy.insert(key(k), 10, evicted));
    ASSERT_TRUE(policy.in_main(key(k)));
  }
  ASSERT_TRUE(policy.access(key(0)));  // only 0 is hot in main
  evicted.clear();
  // Keep inserting re-requested ghosts so that main must evict.
  for (std::uint64_t k = 5; k < 15; ++k) {
    if (policy.in_ghost(key(k))) {
      ASSERT_TRUE(policy.insert(key(k), 10, evicted));
    }
  }
  EXPECT_TRUE(policy.contains(key(0)));
  EXPECT_TRUE(std::find(evicted.begin(), evicted.end(), key(1)) != evicted.end());
  EXPECT_TRUE(std::find(evicted.begin(), evicted.end(), key(0)) == evicted.end());
}

TEST(S3FifoPolicy, EraseDropsResidentAndGhostKeys) {
  S3FifoPolicy policy(100);
  std::vector<ContentHash> evicted;
  for (std::uint64_t k = 0; k <= 10; ++k) ASSERT_TRUE(policy.insert(key(k), 10, evicted));
  ASSERT_TRUE(policy.in_ghost(key(0)));
  policy.erase(key(0));
  EXPECT_FALSE(policy.in_ghost(key(0)));
  policy.erase(key(5));
  EXPECT_FALSE(policy.contains(key(5)));
  EXPECT_FALSE(policy.access(key(5)));
  EXPECT_EQ(policy.used_bytes(), 90u);
  EXPECT_EQ(policy.objects(), 9u);
  policy.erase(key(12345));  // absent: no-op
  EXPECT_EQ(policy.objects(), 9u);
  // A purged ghost no longer earns main on its return.
  ASSERT_TRUE(policy.insert(key(0), 10, evicted));
  EXPECT_FALSE(policy.in_main(key(0)));
}

TEST(S3FifoPolicy, RefusesObjectsLargerThanCapacity) {
  S3FifoPolicy policy(1000);
  std::vector<ContentHash> evicted;
  ASSERT_TRUE(policy.insert(key(1), 10, evicted));
  EXPECT_FALSE(policy.insert(key(2), 1001, evicted));
  EXPECT_FALSE(policy.contains(key(2)));
  EXPECT_TRUE(evicted.empty());  // refusing evicts nothing
  EXPECT_EQ(policy.used_bytes(), 10u);
  EXPECT_TRUE(policy.insert(key(3), 1000, evicted));  // exactly the capacity fits
  EXPECT_EQ(policy.used_bytes(), 1000u);
  EXPECT_EQ(policy.objects(), 1u);
}

TEST(S3FifoPolicy, ReinsertingAResidentKeyReplacesItsSize) {
  S3FifoPolicy policy(1000);
  std::vector<ContentHash> evicted;
  ASSERT_TRUE(policy.insert(key(1), 10, evicted));
  ASSERT_TRUE(policy.insert(key(1), 30, evicted));
  EXPECT_EQ(policy.used_bytes(), 30u);
  EXPECT_EQ(policy.objects(), 1u);
}

TEST(S3FifoPolicy, ZeroCapacityHoldsNothing) {
  S3FifoPolicy policy(0);
  std::vector<ContentHash> evicted;
  EXPECT_FALSE(policy.insert(key(1), 1, evicted));
  EXPECT_FALSE(policy.access(key(1)));
}

struct MissRatios {
  double s3fifo;
  double lru;
};

// Zipf(0.9) over 20 000 objects, with a one-pass scan of 5 000 new keys every
// 20 000 requests (a crawler walking the catalog): the trace the edge sees.
MissRatios replay_mixed_trace(double capacity_fraction) {
  constexpr std::size_t kObjects = 20'000;
  constexpr int kRequests = 400'000;
  std::uint64_t footprint = 0;
  for (std::uint64_t k = 0; k < kObjects; ++k) footprint += size_of(k);
  auto capacity = static_cast<std::uint64_t>(static_cast<double>(footprint) * capacity_fraction);
  S3FifoPolicy s3(capacity);
  Lru lru(capacity);
  Zipf zipf(kObjects, 0.9);
  std::mt19937_64 rng(7);
  std::uint64_t s3_miss = 0, lru_miss = 0, total = 0, scan_key = 1'000'000;
  auto one = [&](std::uint64_t k) {
    ++total;
    if (!request(s3, k, size_of(k))) ++s3_miss;
    if (!lru.access(k)) {
      ++lru_miss;
      lru.insert(k, size_of(k));
    }
  };
  for (int r = 0; r < kRequests; ++r) {
    one(zipf(rng));
    if (r % 20'000 == 19'999) {
      for (int s = 0; s < 5'000; ++s) one(scan_key++);
    }
  }
  return {static_cast<double>(s3_miss) / static_cast<double>(total),
          static_cast<double>(lru_miss) / static_cast<double>(total)};
}

TEST(S3FifoPolicy, MissRatioNotWorseThanLruOnZipfWithScans) {
  for (double fraction : {0.01, 0.05, 0.2}) {
    MissRatios m = replay_mixed_trace(fraction);
    std::printf("[ measure  ] cache = %4.1f%% of footprint: miss ratio S3-FIFO %.4f, LRU %.4f\n",
                fraction * 100, m.s3fifo, m.lru);
    EXPECT_LE(m.s3fifo, m.lru) << "capacity fraction " << fraction;
  }
}

}  // namespace
}  // namespace relais
