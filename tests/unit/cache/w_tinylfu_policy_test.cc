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

TEST(WTinyLfuPolicy, CandidateSeenOnceNeverDisplacesEvenAResidentSeenOnce) {
  WTinyLfuPolicy policy(1000);  // window 100, main 900
  std::vector<ContentHash> evicted;
  for (std::uint64_t k = 0; k < 10; ++k) request(policy, k, 100);  // 0..8 in main, once each
  // Equal counts would admit (ties go to the candidate), but one request
  // is not evidence: a scan of new keys only churns the window.
  for (std::uint64_t k = 100; k < 200; ++k) request(policy, k, 100, &evicted);
  for (std::uint64_t k = 0; k < 9; ++k) EXPECT_TRUE(policy.contains(key(k))) << k;
  for (const ContentHash& v : evicted) EXPECT_GE(v.high, 9u);
}

TEST(WTinyLfuPolicy, CandidateMustBeWantedAtLeastAsMuchAsAllItsVictims) {
  WTinyLfuPolicy policy(1000);  // window 100, main 900
  std::vector<ContentHash> evicted;
  for (std::uint64_t k = 0; k < 10; ++k) {  // 0..8 in main, 9 in the window; each counted twice
    request(policy, k, 100);
    ASSERT_TRUE(policy.access(key(k)));
  }
  // A 300-byte object (larger than the window: it faces admission at once)
  // needs three victims of count 2: 5 requests are not worth 6.
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(policy.access(key(50)));
  evicted.clear();
  EXPECT_FALSE(policy.insert(key(50), 300, evicted));
  EXPECT_FALSE(policy.contains(key(50)));
  // (Key 9, pushed out of the window first, tied its one victim, key 0, and won.)
  EXPECT_EQ(evicted, std::vector<ContentHash>{key(0)});
  for (std::uint64_t k = 1; k < 10; ++k) EXPECT_TRUE(policy.contains(key(k))) << k;
  // 6 requests are: the tie goes to the candidate, and its three victims go.
  for (int i = 0; i < 6; ++i) ASSERT_FALSE(policy.access(key(51)));
  evicted.clear();
  EXPECT_TRUE(policy.insert(key(51), 300, evicted));
  EXPECT_EQ(evicted, (std::vector<ContentHash>{key(1), key(2), key(3)}));
  EXPECT_LE(policy.used_bytes(), 1000u);
}

// Recency-heavy: a frequent set fills main, then every new object is wanted
// once more shortly after (15 new objects later, so ~30 objects deep in the
// window's LRU order): later than a 10-object window keeps it, but within the
// refused ghost's horizon. Returns the second requests' hit ratio over the
// last 500.
double burst_reuse(WTinyLfuPolicy& policy, std::uint64_t object) {
  for (int round = 0; round < 4; ++round) {
    for (std::uint64_t k = 0; k < 90; ++k) request(policy, k, object);
  }
  std::uint64_t late_hits = 0;
  for (std::uint64_t i = 0; i < 3000; ++i) {
    request(policy, 1000 + i, object);
    if (i >= 15 && request(policy, 1000 + i - 15, object) && i >= 2500) ++late_hits;
  }
  return static_cast<double>(late_hits) / 500;
}

// Refused at admission (seen once), each burst object comes back as a hit on
// the refused ghost, and the window grows until it keeps them.
TEST(WTinyLfuPolicy, WindowGrowsWhenRefusedObjectsAreWantedAgain) {
  constexpr std::uint64_t kObject = 100, kCapacity = 100 * kObject;
  WTinyLfuPolicy policy(kCapacity);
  const std::uint64_t initial = policy.window_capacity();
  ASSERT_EQ(initial, kCapacity * WTinyLfuPolicy::kInitialWindowPercent / 100);
  const double late = burst_reuse(policy, kObject);
  std::printf("[ measure  ] window %llu of %llu bytes, late second requests hit %.3f\n",
              static_cast<unsigned long long>(policy.window_capacity()),
              static_cast<unsigned long long>(kCapacity), late);
  EXPECT_GE(policy.window_capacity(), 3 * initial);
  EXPECT_LE(policy.window_capacity(), kCapacity * WTinyLfuPolicy::kMaxWindowPercent / 100);
  EXPECT_GT(late, 0.9);
}

// Regression: with the window grown to nearly half the cache, a warm object
// larger than main (but not than the cache) lost admission for want of
// victims, then won the lottery, and admit() asserted on an empty main.
TEST(WTinyLfuPolicy, WarmObjectLargerThanMainIsRefusedEvenByTheLottery) {
  constexpr std::uint64_t kObject = 100, kCapacity = 100 * kObject;
  WTinyLfuPolicy policy(kCapacity);
  (void)burst_reuse(policy, kObject);
  const std::uint64_t main = kCapacity - policy.window_capacity();
  ASSERT_LT(main, kCapacity * 6 / 10);
  std::vector<ContentHash> evicted;
  for (std::uint64_t k = 50'000; k < 50'500; ++k) {
    for (int i = 0; i < 10; ++i) ASSERT_FALSE(policy.access(key(k)));  // warm: lottery-eligible
    evicted.clear();
    EXPECT_FALSE(policy.insert(key(k), main + 1, evicted)) << k;
    ASSERT_LE(policy.used_bytes(), kCapacity);
  }
}

// Frequency-heavy: a loop of 95 objects, each requested once per round, with
// a never-repeated key between two requests. Main (90 % at first) cannot
// hold the loop; the objects it evicts come back a round later as hits on
// the evicted ghost, and the window shrinks until main holds the whole loop.
TEST(WTinyLfuPolicy, WindowShrinksWhenEvictedObjectsAreWantedAgain) {
  constexpr std::uint64_t kObject = 100, kCapacity = 100 * kObject, kLoop = 95;
  WTinyLfuPolicy policy(kCapacity);
  const std::uint64_t initial = policy.window_capacity();
  std::uint64_t scan = 1'000'000, last_round_hits = 0;
  for (int round = 0; round < 60; ++round) {
    for (std::uint64_t k = 0; k < kLoop; ++k) {
      const bool hit = request(policy, k, kObject);
      if (round == 59) last_round_hits += hit ? 1 : 0;
      request(policy, scan++, kObject);
    }
  }
  std::printf("[ measure  ] window %llu of %llu bytes, last round hits %llu / %llu\n",
              static_cast<unsigned long long>(policy.window_capacity()),
              static_cast<unsigned long long>(kCapacity), static_cast<unsigned long long>(last_round_hits),
              static_cast<unsigned long long>(kLoop));
  EXPECT_LE(policy.window_capacity(), initial / 2);
  EXPECT_GE(policy.window_capacity(), kCapacity * WTinyLfuPolicy::kMinWindowPercent / 100);
  EXPECT_GE(last_round_hits, kLoop * 9 / 10);
}

TEST(WTinyLfuPolicy, WindowAndBytesStayWithinBoundsWhileTheWindowMoves) {
  // Bursts (recency), a hot set (frequency), scans and sizes up to 40 % of
  // the capacity, so the ghosts move the window both ways.
  constexpr std::uint64_t kCapacity = 64 * 1024;
  WTinyLfuPolicy policy(kCapacity);
  std::mt19937_64 rng(11);
  std::uint64_t lowest = kCapacity, highest = 0, fresh = 1'000'000;
  std::vector<ContentHash> evicted;
  for (int step = 0; step < 300'000; ++step) {
    const int phase = (step / 20'000) % 3;
    std::uint64_t k;
    if (phase == 0) {
      k = rng() % 50;  // hot set
    } else if (phase == 1) {
      k = fresh - (rng() % 2) * 40;  // a new key, or the one from 40 keys ago
      ++fresh;
    } else {
      k = rng() % 3 == 0 ? rng() % 50 : fresh++;  // scan through the hot set
    }
    const std::uint64_t bytes = k % 97 == 0 ? 26'000 : size_of(k);
    evicted.clear();
    if (!policy.access(key(k))) (void)policy.insert(key(k), bytes, evicted);
    ASSERT_LE(policy.used_bytes(), kCapacity) << step;
    ASSERT_GE(policy.window_capacity(), kCapacity * WTinyLfuPolicy::kMinWindowPercent / 100) << step;
    ASSERT_LE(policy.window_capacity(), kCapacity * WTinyLfuPolicy::kMaxWindowPercent / 100) << step;
    lowest = std::min(lowest, policy.window_capacity());
    highest = std::max(highest, policy.window_capacity());
  }
  std::printf("[ measure  ] window moved between %llu and %llu of %llu bytes\n",
              static_cast<unsigned long long>(lowest), static_cast<unsigned long long>(highest),
              static_cast<unsigned long long>(kCapacity));
  EXPECT_LT(lowest, kCapacity * WTinyLfuPolicy::kInitialWindowPercent / 100);
  EXPECT_GT(highest, kCapacity * WTinyLfuPolicy::kInitialWindowPercent / 100);
}

TEST(WTinyLfuPolicy, SketchGrowsWhenObjectsAreSmallerThanPlanned) {
  // Planned for 16 objects, holds ~2000: the sketch keeps 4 words each.
  WTinyLfuPolicy policy(1 << 20, 16);
  const std::size_t planned = policy.sketch().table_bytes();
  for (std::uint64_t k = 0; k < 3000; ++k) request(policy, k, 500);
  EXPECT_GE(policy.sketch().table_bytes(), 4 * 8 * policy.objects());
  EXPECT_GT(policy.sketch().table_bytes(), planned);
  EXPECT_LE(policy.used_bytes(), std::uint64_t{1} << 20);
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
