// WTinyLfuPolicy: which objects the memory tier keeps (W-TinyLFU: Einziger,
// Friedman, Manes, "TinyLFU: A Highly Efficient Cache Admission Policy",
// ACM ToS 2017; the layout Caffeine ships).
//
// Keys and byte sizes only, no payloads: the memory tier drives it for real
// and bench/sim drives the very same class with traces. Three queues:
//   window     LRU, kWindowPercent (10) % of the bytes: every new object enters here,
//              so a burst of new-and-immediately-reused objects (a lesson
//              published at 08:00) hits before it has any history;
//   probation  LRU, main's cold end: objects admitted from the window;
//   protected  LRU, kProtectedPercent of main: objects hit again in probation
//              (segmented LRU, the paper's "SLRU main").
// An object leaving the window is a candidate for main. If main has room it
// enters probation; otherwise it must beat probation's LRU victim on the
// FrequencySketch (frequency_sketch.h: count-min, 4-bit counters, doorkeeper,
// periodic halving): the more frequent of the two stays. One pass over a
// large catalog (a crawler, cache-busting keys) therefore only churns the
// window: a key seen once never beats a victim seen twice, so the hot lesson
// pages in main survive it. Not thread-safe: one per worker.
//
// Lifecycle of a key:
//   access (any request)      -> sketch counts it; if resident it is a hit:
//                                window -> window head; probation -> protected
//                                head; protected -> protected head
//   insert (miss)             -> window head
//   protected over its share  -> its LRU object -> probation head (demoted)
//   leaves window             -> probation (room or won admission), or gone
//   loses to a candidate      -> gone (reported in `evicted`)
//   erase (purge)             -> gone (the sketch keeps its count: it ages out)
//
// Why W-TinyLFU over S3-FIFO here: measured with bench/sim (see
// bench/results/sim-*.md), the sketch's frequency history (10 x the cache's
// object count of requests) ranks objects better than S3-FIFO's 2-bit
// frequency and cache-sized ghost on flat popularity (Zipf 0.6-0.9) and
// small caches; S3-FIFO stays ~1-3 % ahead on Zipf 1.2 at >= 1 % cache.
//
// Bounds: used_bytes() <= capacity_bytes() after every call; the sketch is
// fixed at construction (~9 bytes per expected object). Cost: access() is
// one hash lookup, one sketch increment (4 nibbles in one 64-byte line, the
// doorkeeper's 2 bits; every 10 x objects requests a halving pass over the
// table, amortised O(1)) and one O(1) list move; it never allocates. insert()
// is O(1) per object it evicts; steady state allocates only the hash-table
// node of the new key.
#pragma once

#include <cstdint>
#include <vector>

#include "edge/cache/frequency_sketch.h"
#include "edge/cache/policy_queues.h"
#include "origin-sync/content_hash.h"

namespace relais {

class WTinyLfuPolicy {
 public:
  // expected_objects sizes the hash table and the sketch up front (0: guess
  // from capacity at 4 KiB per object, capped), so a warm cache never rehashes.
  explicit WTinyLfuPolicy(std::uint64_t capacity_bytes, std::size_t expected_objects = 0);

  // A request for key: counted by the sketch; true (and recency updated) if resident.
  bool access(const ContentHash& key);
  // Inserts a key that missed (after access() returned false). Returns
  // whether the key is resident afterwards: false for objects larger than the
  // capacity (nothing evicted), and for objects that leave the window at once
  // (larger than it) and lose admission to main. Keys evicted to make room
  // are appended to evicted (never the inserted key itself); the caller frees
  // their payloads, also when false is returned. Inserting a resident key
  // replaces its size.
  bool insert(const ContentHash& key, std::uint64_t bytes, std::vector<ContentHash>& evicted);
  // Drops a key (purge). No-op if absent.
  void erase(const ContentHash& key);

  std::uint64_t capacity_bytes() const { return capacity_; }
  std::uint64_t used_bytes() const {
    return queues_.bytes(kWindow) + queues_.bytes(kProbation) + queues_.bytes(kProtected);
  }
  std::size_t objects() const {
    return queues_.count(kWindow) + queues_.count(kProbation) + queues_.count(kProtected);
  }

  // Introspection for tests and the simulator.
  bool contains(const ContentHash& key) const { return queues_.find(key) != PolicyQueues::kNil; }
  bool in_window(const ContentHash& key) const;
  bool in_protected(const ContentHash& key) const;
  const FrequencySketch& sketch() const { return sketch_; }
  std::uint64_t window_capacity() const { return window_capacity_; }

  // The paper's 1 % window lost hits on the Monday-morning trace (a video
  // burst or a PDF larger than the window faces admission on its first
  // request and is refused); 10 % measured best across bench/sim's traces
  // (1, 5, 10, 25 tried; Caffeine's hill climber would adapt it at run time).
  static constexpr std::uint64_t kWindowPercent = 10;
  static constexpr std::uint64_t kProtectedPercent = 80;
  // Caffeine's defence against a victim whose count an attacker inflates
  // (hash-flooding the sketch, or just hammering one key to pin it): a
  // candidate at least this warm is admitted anyway with probability 1/128.
  static constexpr unsigned kWarmCandidate = 6;
  // At most this many victims are weighed for one candidate (a 4 MiB object
  // against a main full of 300-byte ones): a miss costs bounded work, and a
  // candidate that would need more is not admitted.
  static constexpr unsigned kMaxVictims = 256;

 private:
  using Index = PolicyQueues::Index;
  enum QueueId : std::uint8_t { kWindow = 0, kProbation = 1, kProtected = 2 };

  bool admit(Index candidate, Index inserted, std::vector<ContentHash>& evicted);
  bool lottery(unsigned candidate_freq);
  void trim_protected();
  bool in_queue(const ContentHash& key, QueueId q) const;

  std::uint64_t capacity_;
  std::uint64_t window_capacity_;
  std::uint64_t main_capacity_;
  std::uint64_t protected_capacity_;
  PolicyQueues queues_;
  FrequencySketch sketch_;
  std::uint64_t random_;  // xorshift state for the warm-candidate lottery: deterministic
};

}  // namespace relais
