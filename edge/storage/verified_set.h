// VerifiedSet: the blobs this worker has read whole and hash-checked.
//
// Why: a blob is served only after its hash was checked (docs/ARCHITECTURE.md). The
// pull checks every blob it writes; the edge checks again the first time it
// reads a blob into RAM. After that, a small blob that drops out of the
// memory tier and comes back can be sent from disk with sendfile() like a
// large one (size checked at open), instead of being read, hashed and
// copied again on every miss.
//
// Fixed memory: a table of kSlots 64-bit keys (the XXH3-128 folded in two; a
// false "verified" needs a 64-bit collision between two blobs of one store),
// allocated on first use. When half full it is emptied: later
// misses re-verify, which costs CPU, never correctness. Not thread-safe: one
// per BlobStore, which is one per worker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "origin-sync/content_hash.h"

namespace relais {

class VerifiedSet {
 public:
  static constexpr std::size_t kSlots = std::size_t{1} << 19;  // 4 MiB; empties at 256 Ki blobs

  bool contains(const ContentHash& hash) const;
  void insert(const ContentHash& hash);
  // Forgets every blob (a purge: rare, and re-verifying is only CPU).
  void clear();
  std::size_t size() const { return size_; }

 private:
  // The key's slot, or the empty slot ending its probe run (linear probing).
  std::size_t find_slot(std::uint64_t key) const;

  std::unique_ptr<std::uint64_t[]> slots_;  // 0: empty
  std::size_t size_ = 0;
};

}  // namespace relais
