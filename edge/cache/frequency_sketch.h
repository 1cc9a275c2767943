// FrequencySketch: an approximate, aging popularity count of recent keys,
// the admission filter of W-TinyLFU (Einziger, Friedman, Manes, "TinyLFU: A
// Highly Efficient Cache Admission Policy", ACM ToS 2017).
//
// A count-min sketch of 4-bit counters (saturating at 15: the paper shows
// that admission only needs to tell "more popular than the victim", and
// small counters keep the sketch at 8 bytes per expected object), four
// counters per key, all in one 64-byte block (Caffeine's layout) so that an
// increment touches one cache line. In front of it a doorkeeper (a Bloom
// filter, paper §3.4.2): a key's first request only sets its doorkeeper bits,
// so the one-hit wonders that dominate a CDN's key space never reach the
// counters and do not inflate the estimates of the keys they collide with.
//
// Aging ("reset", paper §3.3): after sample_size() counted requests every
// counter is halved and the doorkeeper cleared, so the sketch follows a
// popularity that moves (today's lessons replacing yesterday's) instead of
// remembering all history. The period is 10x the number of objects the cache
// holds, the paper's W/C = 10 with C counted in objects (the cache is
// bounded in bytes, so the policy updates it as the resident count changes).
//
// Bounds: memory is fixed at construction from expected_objects (rounded up
// to a power of two, at least kMinObjects, at most kMaxObjects): 8 bytes of
// counters + 1 byte of doorkeeper per expected object. No allocation after
// construction. Hashing: keys are XXH3-128 digests, already uniform, but
// tests and tools use sequential keys, so both halves are folded with a
// per-sketch seed and mixed once (SplitMix64's finaliser: three multiplies
// and shifts). Deterministic for a given seed. Not thread-safe.
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

  explicit FrequencySketch(std::size_t expected_objects, std::uint64_t seed = kDefaultSeed);

  // Records one request of key (doorkeeper first, then the counters).
  void increment(const ContentHash& key);
  // Estimated requests of key since the last aging, 0 .. kMaxCount + 1
  // (the doorkeeper bit counts for one).
  unsigned estimate(const ContentHash& key) const;

  // Requests counted between two agings; at least kMinObjects.
  std::uint64_t sample_size() const { return sample_size_; }
  // The policy's resident-object count changed: period = 10 x objects.
  void set_cache_objects(std::size_t objects);
  std::uint64_t agings() const { return agings_; }
  std::size_t table_bytes() const { return table_.size() * sizeof(std::uint64_t) + door_.size() * sizeof(std::uint64_t); }

 private:
  std::uint64_t mix(const ContentHash& key) const;
  bool door_contains(std::uint64_t h) const;
  void door_insert(std::uint64_t h);
  unsigned sketch_estimate(std::uint64_t h) const;
  void age();

  std::uint64_t seed_;
  std::vector<std::uint64_t> table_;  // blocks of 8 words x 16 nibbles
  std::uint64_t block_mask_;           // blocks - 1
  std::vector<std::uint64_t> door_;   // doorkeeper bits
  std::uint64_t door_mask_;            // bits - 1
  std::uint64_t sample_size_;
  std::uint64_t additions_ = 0;
  std::uint64_t agings_ = 0;
};

}  // namespace relais
