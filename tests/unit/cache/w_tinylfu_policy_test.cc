#include "edge/cache/w_tinylfu_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
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



TEST(WTinyLfuPolicy, NeverExceedsCapacityAndReportsEveryEvictionOverARandomTrace) {
  constexpr std::uint64_t kCapacity = 256 * 1024;
  WTinyLfuPolicy policy(kCapacity);
  std::unordered_map<std::uint64_t, std::uint64_t> resident;  // model: key -> bytes
  std::mt19937_64 rng(42);
  std::vector<ContentHash> evicted;
  for (int step = 0; step < 200'000; ++step) {
    std::uint64_t k = rng() % 2000;
    // Some objects larger than the window: they face admission at once.
    std::uint64_t bytes = k % 50 == 0 ? 40'000 : size_of(k);
    int op = static_cast<int>(rng() % 100);
    if (op < 2) {
      policy.erase(key(k));
      resident.erase(k);
    } else if (policy.access(key(k))) {
      ASSERT_TRUE(resident.count(k)) << "hit on a key the model evicted, step " << step;
    } else {
      ASSERT_FALSE(resident.count(k)) << "miss on a resident key, step " << step;
      evicted.clear();
      const bool kept = policy.insert(key(k), bytes, evicted);
      for (const ContentHash& v : evicted) {
        ASSERT_EQ(resident.erase(v.high), 1u) << "evicted a key that was not resident";
        ASSERT_NE(v.high, k);
      }
      ASSERT_EQ(kept, policy.contains(key(k)));
      if (kept) resident[k] = bytes;
    }
    if (step % 997 == 0) {
      std::uint64_t sum = 0;
      for (auto& [rk, rb] : resident) sum += rb;
      ASSERT_EQ(policy.used_bytes(), sum);
    }
    ASSERT_LE(policy.used_bytes(), kCapacity);
    ASSERT_EQ(policy.objects(), resident.size());
  }
}

TEST(WTinyLfuPolicy, OnePassScanOfTenTimesCapacityDoesNotEvictHotSet) {
  constexpr std::uint64_t kObject = 100;
  constexpr std::uint64_t kCapacity = 1000 * kObject;
  constexpr std::uint64_t kHot = 200;
  WTinyLfuPolicy policy(kCapacity);
  double ratio = policy_test::hot_set_hit_ratio_during_scan(policy, kCapacity, kObject, kHot);
  std::printf("[ measure  ] hot-set hit ratio during 10x scan: %.4f\n", ratio);
  EXPECT_GT(ratio, 0.9);
  std::uint64_t still = 0;
  for (std::uint64_t h = 0; h < kHot; ++h) still += policy.contains(key(h)) ? 1 : 0;
  EXPECT_GE(still, kHot * 9 / 10);
  EXPECT_LE(policy.used_bytes(), kCapacity);
}

TEST(WTinyLfuPolicy, NewObjectEntersTheWindowAndASecondHitInMainProtectsIt) {
  WTinyLfuPolicy policy(1000);  // window 100 bytes
  std::vector<ContentHash> evicted;
  ASSERT_TRUE(policy.insert(key(0), 50, evicted));
  EXPECT_TRUE(policy.in_window(key(0)));
  // Two more window-sized objects push 0 out of the window into probation (main has room).
  ASSERT_TRUE(policy.insert(key(1), 50, evicted));
  ASSERT_TRUE(policy.insert(key(2), 50, evicted));
  EXPECT_TRUE(evicted.empty());
  EXPECT_TRUE(policy.contains(key(0)));
  EXPECT_FALSE(policy.in_window(key(0)));
  EXPECT_FALSE(policy.in_protected(key(0)));
  ASSERT_TRUE(policy.access(key(0)));
  EXPECT_TRUE(policy.in_protected(key(0)));
}

TEST(WTinyLfuPolicy, CandidateSeenOnceLosesToAMoreFrequentVictim) {
  WTinyLfuPolicy policy(1000);  // window 100, main 900
  std::vector<ContentHash> evicted;
  // Fill main with 9 objects requested twice each.
  for (std::uint64_t k = 0; k < 9; ++k) {
    request(policy, k, 100);
    ASSERT_TRUE(policy.access(key(k)));
  }
  for (std::uint64_t k = 0; k < 9; ++k) ASSERT_TRUE(policy.contains(key(k))) << k;
  // New keys, each once: each enters the window, the previous one loses admission.
  evicted.clear();
  for (std::uint64_t k = 100; k < 110; ++k) request(policy, k, 100, &evicted);
  for (std::uint64_t k = 0; k < 9; ++k) EXPECT_TRUE(policy.contains(key(k))) << k;
  EXPECT_EQ(evicted.size(), 9u);  // 100..108, never a main object
  for (const ContentHash& v : evicted) EXPECT_GE(v.high, 100u);
}

TEST(WTinyLfuPolicy, FrequentCandidateDisplacesAColdResident) {
  WTinyLfuPolicy policy(1000);
  std::vector<ContentHash> evicted;
  for (std::uint64_t k = 0; k < 10; ++k) request(policy, k, 100);  // 1..9 in main, once each
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(policy.access(key(50)));  // wanted, not resident
  evicted.clear();
  ASSERT_TRUE(policy.insert(key(50), 100, evicted));
  ASSERT_TRUE(policy.insert(key(51), 100, evicted));  // pushes 50 out of the window: it wins
  EXPECT_TRUE(policy.contains(key(50)));
  EXPECT_FALSE(evicted.empty());
  EXPECT_LE(policy.used_bytes(), 1000u);
}

TEST(WTinyLfuPolicy, EraseDropsAResidentKeyFromAnyQueue) {
  WTinyLfuPolicy policy(1000);
  std::vector<ContentHash> evicted;
  for (std::uint64_t k = 0; k < 5; ++k) ASSERT_TRUE(policy.insert(key(k), 100, evicted));
  ASSERT_TRUE(policy.access(key(0)));
  policy.erase(key(0));
  policy.erase(key(4));
  EXPECT_FALSE(policy.contains(key(0)));
  EXPECT_FALSE(policy.access(key(4)));
  EXPECT_EQ(policy.used_bytes(), 300u);
  EXPECT_EQ(policy.objects(), 3u);
  policy.erase(key(12345));  // absent: no-op
  EXPECT_EQ(policy.objects(), 3u);
}

TEST(WTinyLfuPolicy, RefusesObjectsLargerThanCapacity) {
  WTinyLfuPolicy policy(1000);
  std::vector<ContentHash> evicted;
  ASSERT_TRUE(policy.insert(key(1), 10, evicted));
  EXPECT_FALSE(policy.insert(key(2), 1001, evicted));
  EXPECT_FALSE(policy.contains(key(2)));
  EXPECT_TRUE(evicted.empty());  // refusing evicts nothing
  EXPECT_EQ(policy.used_bytes(), 10u);
  policy.erase(key(1));
  EXPECT_TRUE(policy.insert(key(3), 1000, evicted) || !policy.contains(key(3)));
  EXPECT_LE(policy.used_bytes(), 1000u);
}

TEST(WTinyLfuPolicy, ReinsertingAResidentKeyReplacesItsSize) {
  WTinyLfuPolicy policy(1000);
  std::vector<ContentHash> evicted;
  ASSERT_TRUE(policy.insert(key(1), 10, evicted));
  ASSERT_TRUE(policy.insert(key(1), 30, evicted));
  EXPECT_EQ(policy.used_bytes(), 30u);
  EXPECT_EQ(policy.objects(), 1u);
}

TEST(WTinyLfuPolicy, ZeroCapacityHoldsNothing) {
  WTinyLfuPolicy policy(0);
  std::vector<ContentHash> evicted;
  EXPECT_FALSE(policy.insert(key(1), 1, evicted));
  EXPECT_FALSE(policy.access(key(1)));
}

// Zipf(0.9) over 20 000 objects, with a one-pass scan of 5 000 new keys every
// 20 000 requests (a crawler walking the catalog), as the S3-FIFO test.
TEST(WTinyLfuPolicy, MissRatioBelowLruOnZipfWithScans) {
  constexpr std::size_t kObjects = 20'000;
  std::uint64_t footprint = 0;
  for (std::uint64_t k = 0; k < kObjects; ++k) footprint += size_of(k);
  for (double fraction : {0.01, 0.05, 0.2}) {
    auto capacity = static_cast<std::uint64_t>(static_cast<double>(footprint) * fraction);
    WTinyLfuPolicy w(capacity);
    Lru lru(capacity);
    Zipf zipf(kObjects, 0.9);
    std::mt19937_64 rng(7);
    std::uint64_t w_miss = 0, lru_miss = 0, total = 0, scan_key = 1'000'000;
    auto one = [&](std::uint64_t k) {
      ++total;
      if (!request(w, k, size_of(k))) ++w_miss;
      if (!lru.access(k)) {
        ++lru_miss;
        lru.insert(k, size_of(k));
      }
    };
    for (int r = 0; r < 400'000; ++r) {
      one(zipf(rng));
      if (r % 20'000 == 19'999) {
        for (int s = 0; s < 5'000; ++s) one(scan_key++);
      }
    }
    double wm = static_cast<double>(w_miss) / static_cast<double>(total);
    double lm = static_cast<double>(lru_miss) / static_cast<double>(total);
    std::printf("[ measure  ] cache = %4.1f%% of footprint: miss ratio W-TinyLFU %.4f, LRU %.4f\n",
                fraction * 100, wm, lm);
    EXPECT_LT(wm, lm) << "capacity fraction " << fraction;
  }
}

}  // namespace
}  // namespace relais
