// S3FifoPolicy: which objects the memory tier keeps (S3-FIFO, SOSP 2023).
//
// Keys and byte sizes only, no payloads: the memory tier drives it for real
// and bench/sim drives the very same class with traces. Three queues: a small
// FIFO (10 % of the bytes) where new objects prove themselves, a main FIFO
// with lazy promotion (a 2-bit frequency, reinsertion instead of LRU moves),
// and a ghost FIFO of recently evicted keys (no bytes). One pass over a large
// catalog (a crawler, a video download) only churns the small queue, so the
// hot lesson pages in main survive it. Not thread-safe: one per worker.
//
// Lifecycle of a key:
//   insert (miss)            -> small (freq 0), or main if the key is a ghost
//   access (hit)             -> freq = min(freq + 1, 3); nothing moves
//   leaves small, freq > 0   -> main (freq 0)
//   leaves small, freq == 0  -> ghost (key only, "seen once")
//   leaves main,  freq > 0   -> back to main's head, freq - 1
//   leaves main,  freq == 0  -> gone (reported in `evicted`)
//   ghost overflow           -> forgotten
//   erase (purge)            -> gone from every queue, ghost included
//
// Bounds: used_bytes() <= capacity_bytes() after every call. The ghost keeps
// at most as many keys as the cache holds objects (at least kMinGhostEntries)
// and at most the main queue's capacity in (remembered) bytes, so a scan of
// never-repeated keys cannot grow it without limit.
//
// Cost: access() is one hash lookup and a byte increment. insert() is O(1)
// amortised: every main reinsertion consumes one unit of frequency that some
// access() paid for, and an object moves from small to main at most once.
// Nodes and index are a PolicyQueues (policy_queues.h), so steady state
// allocates only the hash-table node of the new key.
//
// No doorkeeper (TinyLFU-style "second miss loads"): the small queue already
// is the probation a one-hit wonder must survive. Measured on the test trace
// (Zipf 0.9 over 20 000 objects + one-pass scans, tests/unit/cache/
// s3fifo_policy_test.cc): an ideal doorkeeper left the miss ratio unchanged or
// slightly worse (cache = 1 % / 5 % / 20 % of footprint: 0.673 -> 0.673,
// 0.544 -> 0.545, 0.412 -> 0.420) while halving insertions; it would also
// send every first request through the fd cache. Not worth it. The scan
// test shows the hot set survives a 10x capacity scan without one.
#pragma once

#include <cstdint>
#include <vector>

#include "edge/cache/policy_queues.h"
#include "origin-sync/content_hash.h"

namespace relais {

class S3FifoPolicy {
 public:
  // expected_objects sizes the hash table up front (0: guess from capacity
  // at 4 KiB per object, capped), so a warm cache never rehashes.
  explicit S3FifoPolicy(std::uint64_t capacity_bytes, std::size_t expected_objects = 0);

  // A request for key: true (and frequency bumped) if resident.
  bool access(const ContentHash& key);
  // Inserts a key that missed (after access() returned false). Objects larger
  // than the capacity are refused (false). Keys evicted to make room are
  // appended to evicted; the caller frees their payloads. Inserting a key
  // that is already resident replaces its size (and may evict others).
  bool insert(const ContentHash& key, std::uint64_t bytes, std::vector<ContentHash>& evicted);
  // Drops a key (purge), ghost included. No-op if absent.
  void erase(const ContentHash& key);

  std::uint64_t capacity_bytes() const { return capacity_; }
  std::uint64_t used_bytes() const { return queues_.bytes(kSmall) + queues_.bytes(kMain); }
  std::size_t objects() const { return queues_.count(kSmall) + queues_.count(kMain); }

  // Introspection for tests and the simulator.
  bool contains(const ContentHash& key) const;   // resident (small or main)
  bool in_main(const ContentHash& key) const;
  bool in_ghost(const ContentHash& key) const;
  std::size_t ghost_entries() const { return queues_.count(kGhost); }

  static constexpr std::uint8_t kMaxFrequency = 3;
  static constexpr std::size_t kMinGhostEntries = 64;

 private:
  using Index = PolicyQueues::Index;
  enum QueueId : std::uint8_t { kSmall = 0, kMain = 1, kGhost = 2 };

  void evict_one(std::vector<ContentHash>& evicted);
  void evict_small(std::vector<ContentHash>& evicted);
  void evict_main(std::vector<ContentHash>& evicted);
  void trim_ghost();
  const PolicyQueues::Node* find_node(const ContentHash& key) const;

  std::uint64_t capacity_;
  std::uint64_t small_capacity_;
  std::uint64_t main_capacity_;
  PolicyQueues queues_;  // resident and ghost keys
};

}  // namespace relais
