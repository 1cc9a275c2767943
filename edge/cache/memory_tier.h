// MemoryTier: a byte-bounded cache of whole small blobs in RAM.
//
// Per worker thread (no lock on the hit path; the budget is split across
// workers). Payloads are reference counted: an object evicted while a
// response still writes it stays alive until that write completes. Objects
// above max_object_bytes never enter (videos stay on disk, served by range).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "edge/cache/s3fifo_policy.h"
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
  std::uint64_t used_bytes = 0;
  std::uint64_t objects = 0;
};

class MemoryTier {
 public:
  MemoryTier(std::uint64_t capacity_bytes, std::uint64_t max_object_bytes);

  // nullptr on a miss (counted).
  MemoryRef find(const ContentHash& hash);
  // Admission: true if an object of this size is worth loading now.
  bool admits(std::uint64_t bytes) const;
  // Inserts a verified payload; returns the reference to serve it from, which
  // is valid even if the policy refused to keep the object.
  MemoryRef insert(const ContentHash& hash, std::string bytes);
  void erase(const ContentHash& hash);

  const MemoryTierStats& stats() const;
};

}  // namespace relais
