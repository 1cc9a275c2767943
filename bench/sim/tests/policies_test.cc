// Reference policies (LRU, FIFO, Belady) and the wrapper of Relais's S3-FIFO.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include "bench/sim/belady_policy.h"
#include "bench/sim/queue_policy.h"
#include "bench/sim/relais_s3fifo.h"
#include "bench/sim/relais_wtinylfu.h"
#include "bench/sim/rng.h"
#include "bench/sim/simulator.h"
#include "bench/sim/zipf_sampler.h"
#include "edge/cache/memory_tier.h"

namespace relais::sim {
namespace {

// Unit-size trace over objects named by small integers.
Trace unit_trace(const std::vector<std::uint32_t>& keys, std::uint64_t bytes = 1) {
  TraceBuilder b("unit");
  for (std::uint32_t k : keys) (void)b.add(k, bytes);
  return std::move(b).finish();
}

// Replays with no overhead and no size limit: the policy alone.
std::vector<bool> hits(SimPolicy& policy, const Trace& t) {
  std::vector<std::uint32_t> next = next_use(t);
  std::vector<bool> out;
  for (std::size_t i = 0; i < t.requests.size(); ++i) {
    out.push_back(policy.request(t.requests[i], t.object_bytes[t.requests[i]], next[i]));
  }
  return out;
}

TEST(NextUse, PointsAtTheNextRequestOfTheSameObject) {
  Trace t = unit_trace({1, 2, 1, 3, 2});
  EXPECT_EQ(next_use(t), (std::vector<std::uint32_t>{2, 4, kNever, kNever, kNever}));
}

TEST(LruPolicy, EvictsTheLeastRecentlyUsed) {
  // Capacity 2: after 1 2 1 3, object 2 is least recent and goes.
  Trace t = unit_trace({1, 2, 1, 3, 1, 2});
  LruPolicy lru(2, t.objects());
  EXPECT_EQ(hits(lru, t), (std::vector<bool>{false, false, true, false, true, false}));
  EXPECT_EQ(lru.used_bytes(), 2u);
}

TEST(FifoPolicy, EvictsTheOldestInsertionDespiteHits) {
  // Capacity 2: 1 is hit but still oldest, so 3 evicts it.
  Trace t = unit_trace({1, 2, 1, 3, 1, 2});
  FifoPolicy fifo(2, t.objects());
  EXPECT_EQ(hits(fifo, t), (std::vector<bool>{false, false, true, false, false, false}));
}

TEST(BeladyPolicy, EvictsTheObjectRequestedFurthestInTheFuture) {
  // Capacity 2: at 3's miss, 1 is next wanted at position 4, 2 at position 6: 2 goes.
  Trace t = unit_trace({1, 2, 3, 1, 1, 3, 2});
  BeladyPolicy min(2, t.objects());
  EXPECT_EQ(hits(min, t), (std::vector<bool>{false, false, false, true, true, true, false}));
}

TEST(BeladyPolicy, BypassesObjectsWantedLaterThanEveryResident) {
  Trace t = unit_trace({1, 2, 3, 1, 2, 3});
  BeladyPolicy min(2, t.objects());
  // 3 is wanted after 1 and 2: it does not displace them.
  EXPECT_EQ(hits(min, t), (std::vector<bool>{false, false, false, true, true, false}));
}

TEST(BeladyPolicy, NeverAdmitsObjectsNotRequestedAgain) {
  Trace t = unit_trace({1, 2, 1});
  BeladyPolicy min(1, t.objects());
  EXPECT_EQ(hits(min, t), (std::vector<bool>{false, false, true}));
}

TEST(ReferencePolicies, StayWithinCapacityWithVariableSizes) {
  Rng rng(3);
  TraceBuilder b("sizes");
  for (int i = 0; i < 20000; ++i) {
    std::uint64_t k = rng.below(500);
    (void)b.add(k, 100 + (k * 7919) % 5000);
  }
  Trace t = std::move(b).finish();
  std::vector<std::uint32_t> next = next_use(t);
  const std::uint64_t capacity = 60000;
  LruPolicy lru(capacity, t.objects());
  FifoPolicy fifo(capacity, t.objects());
  BeladyPolicy min(capacity, t.objects());
  for (std::size_t i = 0; i < t.requests.size(); ++i) {
    std::uint32_t o = t.requests[i];
    (void)lru.request(o, t.object_bytes[o], next[i]);
    (void)fifo.request(o, t.object_bytes[o], next[i]);
    (void)min.request(o, t.object_bytes[o], next[i]);
    ASSERT_LE(lru.used_bytes(), capacity);
    ASSERT_LE(fifo.used_bytes(), capacity);
    ASSERT_LE(min.used_bytes(), capacity);
  }
}

TEST(BeladyPolicy, MissesNoMoreThanAnyOnlinePolicyOnUnitSizes) {
  // With unit sizes MIN is optimal: a regression here is a Belady bug.
  Rng rng(11);
  ZipfSampler zipf(2000, 0.8);
  TraceBuilder b("zipf");
  for (int i = 0; i < 50000; ++i) (void)b.add(zipf.draw(rng), 1);
  Trace t = std::move(b).finish();
  std::vector<std::uint32_t> next = next_use(t);
  TierModel tier{~std::uint64_t{0}, 0};
  for (std::uint64_t capacity : {10, 100, 500}) {
    auto misses = [&](PolicyKind k) {
      auto p = make_policy(k, capacity, t.objects());
      return replay(t, next, *p, tier, capacity).misses;
    };
    std::uint64_t min = misses(PolicyKind::belady);
    EXPECT_LE(min, misses(PolicyKind::lru)) << capacity;
    EXPECT_LE(min, misses(PolicyKind::fifo)) << capacity;
    EXPECT_LE(min, misses(PolicyKind::s3fifo)) << capacity;
    EXPECT_LE(min, misses(PolicyKind::wtinylfu)) << capacity;
  }
}

TEST(RelaisWTinyLfu, MakesTheSameHitsAsARealMemoryTier) {
  static_assert(std::is_same_v<MemoryTier::Policy, WTinyLfuPolicy>, "replay the policy MemoryTier uses");
  // The simulator drives WTinyLfuPolicy directly; this pins that it is driven
  // exactly as MemoryTier (behind TieredCache's admits() check) drives it.
  Rng rng(5);
  ZipfSampler zipf(3000, 0.9);
  TraceBuilder b("tier");
  for (int i = 0; i < 40000; ++i) {
    std::uint64_t k = rng.chance(0.2) ? 100000 + static_cast<std::uint64_t>(i) : zipf.draw(rng);
    (void)b.add(k, (k * 2654435761u) % 3000);  // 0 .. 3 KB, some above max_object below
  }
  Trace t = std::move(b).finish();
  std::vector<std::uint32_t> next = next_use(t);
  const std::uint64_t capacity = 400'000, max_object = 2500;

  // As TieredCache: a blob met for the first time is read (insert()); a
  // later miss on it is sent from disk (admit()) and its payload read at its
  // next request if the policy kept the key (attach()).
  MemoryTier tier(capacity, max_object);
  std::uint64_t tier_hits = 0, tier_requests = 0, attached = 0;
  std::unordered_set<std::uint32_t> verified;
  for (std::uint32_t o : t.requests) {
    std::uint64_t size = t.object_bytes[o];
    if (!tier.admits(size)) continue;
    ++tier_requests;
    ContentHash key = RelaisWTinyLfu::key(o);
    MemoryLookup found = tier.find(key);
    if (found.resident) {
      ++tier_hits;
      if (!found.object) {
        (void)tier.attach(key, std::string(size, 'x'));
        ++attached;
      }
    } else if (verified.contains(o)) {
      tier.admit(key, size);
    } else {
      (void)tier.insert(key, std::string(size, 'x'));
      verified.insert(o);
    }
  }
  RelaisWTinyLfu replayed(capacity);
  MissCounts c = replay(t, next, replayed, TierModel{max_object, MemoryTier::kObjectOverheadBytes}, capacity);
  EXPECT_EQ(c.requests, tier_requests);
  EXPECT_EQ(c.requests - c.misses, tier_hits);  // the policy's decisions, unchanged
  EXPECT_EQ(tier.stats().hits + attached, tier_hits);  // payload hits, plus first hits that read it
  EXPECT_GT(attached, 0u);
  EXPECT_GT(tier.stats().hits, attached);
}

TEST(Simulator, BypassesObjectsAboveMaxSizeAndCountsOversizedAsMisses) {
  TraceBuilder b("bypass");
  (void)b.add(1, 100);
  (void)b.add(2, 5000);  // above max object: not counted
  (void)b.add_unsized(3);  // unknown size: not counted
  (void)b.add(4, 900);   // admissible size, but charge > capacity: always a miss
  (void)b.add(1, 100);
  (void)b.add(4, 900);
  Trace t = std::move(b).finish();
  TierModel tier{1000, 192};
  TraceProfile p = profile(t, tier);
  EXPECT_EQ(p.tier_requests, 4u);
  EXPECT_EQ(p.bypass_requests, 2u);
  EXPECT_EQ(p.working_set_bytes, 100u + 192 + 900 + 192);
  for (PolicyKind k : kAllPolicies) {
    auto policy = make_policy(k, 1000, t.objects());
    MissCounts c = replay(t, next_use(t), *policy, tier, 1000);
    EXPECT_EQ(c.requests, 4u) << policy_name(k);
    EXPECT_EQ(c.misses, 3u) << policy_name(k);  // only the second request of object 1 hits
    EXPECT_EQ(c.bytes, 2000u) << policy_name(k);
    EXPECT_EQ(c.miss_bytes, 1900u) << policy_name(k);
  }
}

}  // namespace
}  // namespace relais::sim
