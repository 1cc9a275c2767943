// S3FifoPolicy: which objects the memory tier keeps (S3-FIFO, SOSP 2023).
//
// Keys and byte sizes only, no payloads: the memory tier drives it for real
// and bench/sim drives the very same class with traces. Three queues: a small
// FIFO (10 % of the bytes) where new objects prove themselves, a main FIFO
// with lazy promotion (a 2-bit frequency, reinsertion instead of LRU moves),
// and a ghost FIFO of recently evicted keys (no bytes). One pass over a large
// catalog (a crawler, a video download) only churns the small queue, so the
// hot lesson pages in main survive it. Not thread-safe: one per worker.
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include "origin-sync/content_hash.h"

namespace relais {

class S3FifoPolicy {
 public:
  explicit S3FifoPolicy(std::uint64_t capacity_bytes);

  // A request for key: true (and frequency bumped) if resident.
  bool access(const ContentHash& key);
  // Inserts a key that missed (after access() returned false). Objects larger
  // than the capacity are refused (false). Keys evicted to make room are
  // appended to evicted; the caller frees their payloads.
  bool insert(const ContentHash& key, std::uint64_t bytes, std::vector<ContentHash>& evicted);
  // Drops a key (purge). No-op if absent.
  void erase(const ContentHash& key);

  std::uint64_t capacity_bytes() const;
  std::uint64_t used_bytes() const;
  std::size_t objects() const;

  // (private members: implementation's choice)
};

}  // namespace relais
