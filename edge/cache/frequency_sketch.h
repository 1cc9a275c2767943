// FrequencySketch: an approximate, aging popularity count of recent keys,
// the admission filter of W-TinyLFU (Einziger, Friedman, Manes, "TinyLFU: A
// Highly Efficient Cache Admission Policy", ACM ToS 2017).
//
// A count-min sketch of 4-bit counters (saturating at 15: the paper shows
// that admission only needs to tell "more popular than the victim", and
// small counters keep the sketch at 8 bytes per expected object), four
// counters per key, all in one 64-byte block (Caffeine's layout) so that an
// increment touches one cache line.
//
// No doorkeeper (the paper's §3.4.2 Bloom filter in front of the counters,
// which this sketch had before issue #7): it is cleared at every aging, so
// each aging took one off every resident's estimate at once and let keys
// seen once since (a scan) tie or beat residents seen before it. Measured
// with bench/sim and the policy of w_tinylfu_policy.h: without it the mixed
// traces miss 0.80 instead of 0.81 of LRU's objects (mean of 18 points; 16
// points <= 0.85 instead of 15), Monday morning within 0.02. One-hit
// wonders now reach the counters, which the policy's "requested at least
// twice" admission rule answers, and which the table's sizing (below)
// accounts for. Caffeine ships without one too.
//
// Aging ("reset", paper §3.3): after sample_size() counted requests every
// counter is halved, so the sketch follows a popularity that moves (today's
// lessons replacing yesterday's) instead of remembering all history. The
// period is kSamplePerObject (20) x the number of objects the cache holds.
// The paper's W/C = 10 was measured with fixed-size objects; with the
// policy's size-aware admission (one candidate against the sum of several
// victims' counts, which a longer sample separates better) 10 left the mixed
// traces at 0.81 of LRU's object misses (14 points <= 0.85), 20 at 0.80
// (16 points), 40 the same as 20 within 0.001.
//
// Sizing: one 64-bit word (16 counters) per expected object at
// construction, and at least kWordsPerResident words per object the cache
// holds: a sample brings up to kSamplePerObject distinct keys per resident
// object, each taking 4 counters, and an overloaded table inflates the
// victims' counts the policy adds up. Measured with bench/sim on the mixed
// traces (~25 KiB objects) by planning for larger objects than they are:
// without growing, 1-2 words per resident object missed up to 3 % more of
// the requests (mixed-zipf-0.6, 1 % cache), 0.25-0.5 word up to 5 %; with
// growing, within 0.3 % of a table planned large enough. The memory tier
// plans for 4 KiB objects: smaller ones make the table grow.
//
// Bounds: memory is 8 bytes per word, a power of two, at least kMinObjects
// and at most kMaxObjects words; it only grows (keeping every estimate), at
// most log2(kMaxObjects / kMinObjects) times, and beyond the initial table
// to at most 2 x kWordsPerResident words (64 bytes) per resident object;
// no other allocation after construction. Hashing: keys are XXH3-128
// digests, already uniform, but tests and tools use sequential keys, so both
// halves are folded with a per-sketch seed and mixed once (SplitMix64's
// finaliser: three multiplies and shifts). Deterministic for a given seed.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "origin-sync/content_hash.h"

namespace relais {

class FrequencySketch {
 public:
  static constexpr std::size_t kMinObjects = 64;
  static constexpr std::size_t kMaxObjects = std::size_t{1} << 26;
  static constexpr std::uint8_t kMaxCount = 15;
  static constexpr std::uint64_t kDefaultSeed = 0x5ca1ab1e0ddba11ull;
  static constexpr std::uint64_t kSamplePerObject = 20;
  static constexpr std::uint64_t kWordsPerResident = 4;

  explicit FrequencySketch(std::size_t expected_objects, std::uint64_t seed = kDefaultSeed);

  // Records one request of key.
  void increment(const ContentHash& key);
  // Estimated requests of key since the last aging (halved at each aging),
  // 0 .. kMaxCount; never below the true count until the key saturates.
  unsigned estimate(const ContentHash& key) const;

  // Requests counted between two agings; at least kSamplePerObject x kMinObjects.
  std::uint64_t sample_size() const { return sample_size_; }
  // The policy's resident-object count changed: period = kSamplePerObject x
  // objects, but at least the table's word count (aging stays amortised
  // O(1)), and the table grows (keeping every estimate) if it has fewer
  // than kWordsPerResident words per object.
  void set_cache_objects(std::size_t objects);
  std::uint64_t agings() const { return agings_; }
  std::uint64_t resizes() const { return resizes_; }
  std::size_t table_bytes() const { return table_.size() * sizeof(std::uint64_t); }

 private:
  void age();

  std::uint64_t seed_;
  std::vector<std::uint64_t> table_;  // blocks of 8 words x 16 nibbles
  std::uint64_t block_mask_;           // blocks - 1
  std::uint64_t sample_size_;
  std::uint64_t additions_ = 0;
  std::uint64_t agings_ = 0;
  std::uint64_t resizes_ = 0;
};

}  // namespace relais
