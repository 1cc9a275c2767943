// MemoryTier: a byte-bounded cache of whole small blobs in RAM.
//
// Per worker thread (no lock on the hit path; the budget is split across
// workers). Payloads are reference counted: an object evicted while a
// response still writes it stays alive until that write completes. Objects
// above max_object_bytes never enter (videos stay on disk, served by range).
//
// What stays is decided by MemoryTier::Policy, WTinyLfuPolicy (see
// w_tinylfu_policy.h: an LRU window sized at run time, a frequency-sketch
// admission filter that keeps scans and cache-busting keys from flushing hot
// objects, and a segmented LRU main; it beat S3-FIFO in bench/sim). The
// policy is a compile-time choice, not an interface: the hit path makes no
// virtual call, and S3FifoPolicy (same members) can be swapped back in by
// changing the alias. The policy is charged each
// object's payload plus kObjectOverheadBytes (payload-map node, shared_ptr
// control block, policy node), so a flood of tiny or empty objects cannot
// grow the tier's real memory past its budget; stats().used_bytes reports the
// payload bytes only. Lifecycle of an object: insert() -> resident -> evicted
// by a later insert() or erase() -> freed when its last MemoryRef is dropped.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "edge/cache/w_tinylfu_policy.h"
#include "origin-sync/content_hash.h"

namespace relais {

struct MemoryObject {
  ContentHash hash;
  std::string bytes;
};
using MemoryRef = std::shared_ptr<const MemoryObject>;

struct MemoryTierStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t insertions = 0;
  std::uint64_t evictions = 0;
  std::uint64_t used_bytes = 0;  // payload bytes of resident objects
  std::uint64_t objects = 0;
};

class MemoryTier {
 public:
  // Bookkeeping cost of one resident object, charged against the capacity.
  static constexpr std::uint64_t kObjectOverheadBytes = 192;
  using Policy = WTinyLfuPolicy;
  // Objects the policy's tables (and sketch) are sized for: capacity at a
  // typical compressed lesson page or exercise sheet each, capped.
  static std::size_t expected_objects(std::uint64_t capacity_bytes);

  MemoryTier(std::uint64_t capacity_bytes, std::uint64_t max_object_bytes);

  // nullptr on a miss (counted).
  MemoryRef find(const ContentHash& hash);
  // Admission: true if an object of this size is worth loading now.
  bool admits(std::uint64_t bytes) const;
  // Inserts a verified payload; returns the reference to serve it from, which
  // is valid even if the policy refused to keep the object.
  MemoryRef insert(const ContentHash& hash, std::string bytes);
  // Purge: drops the object (held references stay valid). No-op if absent.
  void erase(const ContentHash& hash);

  const MemoryTierStats& stats() const { return stats_; }
  std::uint64_t capacity_bytes() const { return policy_.capacity_bytes(); }
  std::uint64_t max_object_bytes() const { return max_object_bytes_; }

 private:
  void drop(const ContentHash& hash);

  std::uint64_t max_object_bytes_;
  Policy policy_;
  std::unordered_map<ContentHash, MemoryRef, ContentHashHasher> objects_;
  std::vector<ContentHash> evicted_;  // scratch, reused by every insert()
  MemoryTierStats stats_;
};

}  // namespace relais
