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
// by a later insert() or admit(), or erase() -> freed when its last MemoryRef
// is dropped.
//
// A key may also be resident without its payload: admit() hands the policy a
// miss that the caller served from disk without reading it (a blob already
// verified once, see TieredCache), and the payload is read on the key's next
// request (find() says resident, no object; attach()). Most keys that enter
// the window leave it unrequested, so loading them was a read, a hash and a
// copy for nothing; the policy's decisions are the same either way (bench/sim
// replays exactly them), only the first hit of a key admitted this way reads
// the disk.
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
  std::uint64_t hits = 0;        // requests answered with a resident payload
  std::uint64_t misses = 0;      // the others (not resident, or payload not loaded yet)
  std::uint64_t insertions = 0;  // payloads that became resident
  std::uint64_t evictions = 0;   // resident payloads dropped to make room
  std::uint64_t used_bytes = 0;  // bytes of resident payloads
  std::uint64_t objects = 0;     // resident payloads
};

struct MemoryLookup {
  MemoryRef object;       // set: a hit
  bool resident = false;  // the policy keeps the key; without object, attach() its payload
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

  // Counts the request with the policy; a hit returns the payload.
  MemoryLookup find(const ContentHash& hash);
  // Admission: true if an object of this size is worth loading now.
  bool admits(std::uint64_t bytes) const;
  // Inserts a verified payload; returns the reference to serve it from, which
  // is valid even if the policy refused to keep the object.
  MemoryRef insert(const ContentHash& hash, std::string bytes);
  // A miss served from disk: the policy takes the key, the payload comes
  // with attach() on a later request. No-op for objects admits() refuses.
  void admit(const ContentHash& hash, std::uint64_t bytes);
  // The verified payload of a key find() called resident without one. If the
  // key has left meanwhile, or was admitted with another size, insert().
  MemoryRef attach(const ContentHash& hash, std::string bytes);
  // Purge: drops the object (held references stay valid). No-op if absent.
  void erase(const ContentHash& hash);

  const MemoryTierStats& stats() const { return stats_; }
  std::uint64_t capacity_bytes() const { return policy_.capacity_bytes(); }
  std::uint64_t max_object_bytes() const { return max_object_bytes_; }

 private:
  struct Resident {
    MemoryRef object;  // nullptr until attach()
    std::uint64_t bytes = 0;
  };
  // Hands the key to the policy and drops the residents it evicts; the key's
  // new slot, or nullptr if the policy did not keep it.
  Resident* take(const ContentHash& hash, std::uint64_t bytes);
  void hold(Resident& slot, MemoryRef object);
  // Forgets the key; true if it held a payload.
  bool drop(const ContentHash& hash);

  std::uint64_t max_object_bytes_;
  Policy policy_;
  // Every key the policy holds, with its payload once loaded.
  std::unordered_map<ContentHash, Resident, ContentHashHasher> objects_;
  std::vector<ContentHash> evicted_;  // scratch, reused by every insert()
  MemoryTierStats stats_;
};

}  // namespace relais
