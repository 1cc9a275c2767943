#include "edge/cache/memory_tier.h"

#include <gtest/gtest.h>

#include <string>

namespace relais {
namespace {

ContentHash key(std::uint64_t i) { return ContentHash{i, 0xabc}; }
constexpr std::uint64_t kOverhead = MemoryTier::kObjectOverheadBytes;

TEST(MemoryTier, MissThenInsertThenHitCountsEach) {
  MemoryTier tier(1 << 20, 64 * 1024);
  EXPECT_EQ(tier.find(key(1)).object, nullptr);
  MemoryRef ref = tier.insert(key(1), "bonjour");
  ASSERT_NE(ref, nullptr);
  EXPECT_EQ(ref->bytes, "bonjour");
  EXPECT_EQ(ref->hash, key(1));
  MemoryRef hit = tier.find(key(1)).object;
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit.get(), ref.get());  // same payload, not a copy
  const MemoryTierStats& s = tier.stats();
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.insertions, 1u);
  EXPECT_EQ(s.evictions, 0u);
  EXPECT_EQ(s.used_bytes, 7u);
  EXPECT_EQ(s.objects, 1u);
}

TEST(MemoryTier, AdmitsOnlyObjectsUnderBothBounds) {
  MemoryTier tier(10'000, 4'000);
  EXPECT_TRUE(tier.admits(0));
  EXPECT_TRUE(tier.admits(4'000));
  EXPECT_FALSE(tier.admits(4'001));  // above max_object_bytes
  MemoryTier small(1'000, 4'000);
  EXPECT_TRUE(small.admits(1'000 - kOverhead));
  EXPECT_FALSE(small.admits(1'000 - kOverhead + 1));  // above the capacity with its bookkeeping
}

TEST(MemoryTier, RefusedObjectIsStillServableButNotKept) {
  MemoryTier tier(10'000, 100);
  MemoryRef ref = tier.insert(key(1), std::string(500, 'x'));
  ASSERT_NE(ref, nullptr);
  EXPECT_EQ(ref->bytes.size(), 500u);
  EXPECT_EQ(tier.find(key(1)).object, nullptr);
  EXPECT_EQ(tier.stats().insertions, 0u);
  EXPECT_EQ(tier.stats().used_bytes, 0u);
}

TEST(MemoryTier, EvictedPayloadSurvivesWhileHeld) {
  constexpr std::uint64_t kObject = 1000;
  MemoryTier tier(10 * (kObject + kOverhead), kObject);
  MemoryRef held = tier.insert(key(0), std::string(kObject, 'a'));
  std::weak_ptr<const MemoryObject> watch = held;
  // Newcomers requested more often than key 0 (misses count with the policy's
  // frequency sketch), so admission lets them displace it.
  for (std::uint64_t k = 1; k <= 30; ++k) {
    for (int i = 0; i < 3; ++i) ASSERT_EQ(tier.find(key(k)).object, nullptr);
    (void)tier.insert(key(k), std::string(kObject, 'b'));
  }
  EXPECT_GT(tier.stats().evictions, 0u);
  EXPECT_EQ(tier.find(key(0)).object, nullptr);  // evicted from the tier...
  ASSERT_FALSE(watch.expired());          // ...but alive for the response writing it
  EXPECT_EQ(held->bytes, std::string(kObject, 'a'));
  held.reset();
  EXPECT_TRUE(watch.expired());  // and freed with its last reference
}

TEST(MemoryTier, StatsTrackPayloadBytesWithinCapacityUnderChurn) {
  constexpr std::uint64_t kCapacity = 50'000;
  MemoryTier tier(kCapacity, 8'000);
  std::uint64_t inserted = 0;
  for (std::uint64_t k = 0; k < 500; ++k) {
    if (tier.find(key(k % 97)).object == nullptr) {
      (void)tier.insert(key(k % 97), std::string(100 + (k * 37) % 3000, 'z'));
      ++inserted;
    }
    const MemoryTierStats& s = tier.stats();
    ASSERT_LE(s.used_bytes + s.objects * kOverhead, kCapacity);
  }
  const MemoryTierStats& s = tier.stats();
  // Objects of up to 6 % of the capacity: once the policy has shrunk its
  // window, one that loses admission is served but not kept (not counted).
  EXPECT_LE(s.insertions, inserted);
  EXPECT_GT(s.insertions, inserted / 2);
  EXPECT_EQ(s.hits + s.misses, 500u);
  EXPECT_EQ(s.insertions - s.evictions, s.objects);
}

TEST(MemoryTier, EmptyPayloadIsCachedAndChargedItsOverhead) {
  MemoryTier tier(10 * kOverhead, 100);
  for (std::uint64_t k = 0; k < 100; ++k) (void)tier.insert(key(k), std::string());
  EXPECT_LE(tier.stats().objects, 10u);  // a flood of empty objects stays bounded
  MemoryRef ref = tier.insert(key(1000), std::string());
  ASSERT_NE(tier.find(key(1000)).object, nullptr);
  EXPECT_TRUE(ref->bytes.empty());
}

TEST(MemoryTier, EraseDropsObjectButKeepsHeldReference) {
  MemoryTier tier(1 << 20, 1 << 16);
  MemoryRef ref = tier.insert(key(1), "page");
  tier.erase(key(1));
  EXPECT_EQ(tier.find(key(1)).object, nullptr);
  EXPECT_EQ(tier.stats().objects, 0u);
  EXPECT_EQ(tier.stats().used_bytes, 0u);
  EXPECT_EQ(ref->bytes, "page");
  tier.erase(key(2));  // absent: no-op
}

TEST(MemoryTier, AdmittedKeyIsResidentWithoutPayloadUntilAttached) {
  MemoryTier tier(1 << 20, 64 * 1024);
  EXPECT_FALSE(tier.find(key(1)).resident);
  tier.admit(key(1), 7);
  EXPECT_EQ(tier.stats().objects, 0u);
  EXPECT_EQ(tier.stats().used_bytes, 0u);  // nothing loaded yet
  MemoryLookup second = tier.find(key(1));
  EXPECT_TRUE(second.resident);
  EXPECT_EQ(second.object, nullptr);  // the caller reads the blob now
  MemoryRef attached = tier.attach(key(1), "bonjour");
  ASSERT_NE(attached, nullptr);
  MemoryLookup third = tier.find(key(1));
  ASSERT_NE(third.object, nullptr);
  EXPECT_EQ(third.object.get(), attached.get());
  const MemoryTierStats& s = tier.stats();
  EXPECT_EQ(s.misses, 2u);  // absent, then resident without its payload
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.insertions, 1u);
  EXPECT_EQ(s.objects, 1u);
  EXPECT_EQ(s.used_bytes, 7u);
}

TEST(MemoryTier, AttachAfterTheKeyLeftOrWithAnotherSizeInsertsAfresh) {
  MemoryTier tier(1 << 20, 64 * 1024);
  tier.admit(key(1), 5);
  tier.erase(key(1));
  MemoryRef gone = tier.attach(key(1), "salut");  // left meanwhile: an insert
  ASSERT_NE(gone, nullptr);
  EXPECT_NE(tier.find(key(1)).object, nullptr);
  tier.admit(key(2), 3);
  MemoryRef resized = tier.attach(key(2), "cinq!");  // admitted at 3 bytes, 5 arrive
  EXPECT_EQ(resized->bytes, "cinq!");
  EXPECT_EQ(tier.stats().used_bytes, 10u);  // the policy was charged the 5 bytes
  EXPECT_EQ(tier.stats().objects, 2u);
}

TEST(MemoryTier, PayloadlessResidentsAreEvictedWithoutCountingAsEvictions) {
  constexpr std::uint64_t kObject = 1000;
  MemoryTier tier(10 * (kObject + kOverhead), kObject);
  for (std::uint64_t k = 0; k < 200; ++k) {
    for (int i = 0; i < 3; ++i) (void)tier.find(key(k));
    tier.admit(key(k), kObject);
  }
  EXPECT_EQ(tier.stats().evictions, 0u);  // no payload was ever dropped
  EXPECT_EQ(tier.stats().used_bytes, 0u);
  EXPECT_EQ(tier.stats().objects, 0u);
}

}  // namespace
}  // namespace relais
