// PulledDiskIndex: which pulled objects the disk store (pulled_disk.h) holds,
// and which go when it is full. No I/O and no lock: PulledDisk owns one and
// calls it under its mutex.
//
// An object's key is the XXH3-128 of its primary key (site and path), a
// newline and its secondary key (the Vary key, secondary_key.h); its file
// is named after that key. Per primary key, the variants are listed with the
// Vary value their stored response nominates, so that a request's fields
// pick one as PulledTable::find does, without reading a file.
//
// Bounded by bytes (the files' sizes): insert() evicts by S3FifoPolicy, the
// memory tier's policy class (s3fifo_policy.h), and reports the keys it
// evicted (the caller deletes their files). find() is a policy access (a
// hit bumps the key's frequency).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "edge/cache/freshness/response_facts.h"
#include "edge/cache/s3fifo_policy.h"
#include "edge/pull/pulled_table.h"
#include "origin-sync/content_hash.h"

namespace relais::pull {

struct DiskEntry {
  std::string primary;
  std::string secondary;
  std::string vary;  // the stored response's Vary, as sent
  std::uint64_t bytes = 0;
  std::uint64_t generation = 0;  // set by insert(): tells a replaced entry from its successor
  // Its body's checksum was checked in this process: written by our writer
  // from the bytes it stored, or read through once (pulled_disk.h). Only a
  // verified file is sent from disk without reading it.
  bool verified = false;
  // When its response was received (RFC 9111 §4.2.3): a worker holding an
  // older copy in its table knows, without a read, that another worker
  // refreshed it (PulledDisk::newer).
  std::int64_t response_time = 0;
};

class PulledDiskIndex {
 public:
  // Pulled objects are larger than the memory tier's guess (4 KiB): the
  // policy's table is sized for one per 32 KiB, up to 256 Ki objects.
  explicit PulledDiskIndex(std::uint64_t capacity_bytes)
      : policy_(capacity_bytes, static_cast<std::size_t>(std::min<std::uint64_t>(capacity_bytes / (32 << 10) + 1, 1 << 18))) {}

  static ContentHash key_of(std::string_view primary, std::string_view secondary);

  // Adds or replaces the entry under key_of(primary, secondary); keys
  // evicted to make room are appended to evicted (never the new one). False
  // (and nothing stored) when it is larger than the capacity.
  bool insert(DiskEntry entry, std::vector<ContentHash>& evicted);
  // The variant of primary the request's fields select, if stored.
  std::optional<ContentHash> find(const std::string& primary, freshness::Fields request_fields);
  const DiskEntry* entry(const ContentHash& key) const;
  void erase(const ContentHash& key);
  // The entry of key, if it is still that generation, is verified.
  void mark_verified(const ContentHash& key, std::uint64_t generation);
  // Purge: the keys of primary, of it with a query ("primary?...") and, with
  // prefix, of every primary starting with it; erased here. A linear walk:
  // an operator's purge, not the request path.
  std::vector<ContentHash> purge(std::string_view primary, bool prefix);
  // The keys of exactly primary (every variant); erased here. One lookup.
  std::vector<ContentHash> invalidate(const std::string& primary);

  std::uint64_t used_bytes() const { return policy_.used_bytes(); }
  std::size_t objects() const { return entries_.size(); }
  std::uint64_t capacity_bytes() const { return policy_.capacity_bytes(); }

 private:
  void forget(const ContentHash& key);  // entries_ and by_primary_, not the policy

  S3FifoPolicy policy_;
  std::unordered_map<ContentHash, DiskEntry, ContentHashHasher> entries_;
  std::unordered_map<std::string, std::vector<ContentHash>> by_primary_;
  std::uint64_t next_generation_ = 1;
};

}  // namespace relais::pull
