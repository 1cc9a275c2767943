// TieredCache: "a body source for this variant", from RAM or from disk.
//
// The only thing the HTTP layer asks of the cache (BodySources, body_source.h). A small blob is read from
// the disk tier once, its size and XXH3-128 checked, and kept in the memory
// tier; a large one is handed out as an open file for sendfile(). Per worker
// thread, not thread-safe. Never touches a socket.
//
// body(): a memory hit is served from RAM. A miss on an object the memory
// tier admits is read from disk, verified, inserted and served from RAM the
// first time this worker meets the blob; later misses on it (it was evicted,
// or never kept) are served as a file and the memory tier reads it on its
// next request if the policy kept the key (memory_tier.h: most keys are not
// requested again while in the window). Anything larger than the memory
// tier takes is opened (size-checked) and served as a file. A blob that is
// missing, truncated or corrupt is an error, counted in corrupt_blobs, and is
// never inserted in the memory tier.
#pragma once

#include <cstdint>

#include "edge/cache/body_source.h"
#include "edge/cache/memory_tier.h"
#include "edge/storage/blob_store.h"
#include "origin-sync/manifest.h"
#include "origin-sync/result.h"

namespace relais {

struct TieredCacheStats {
  std::uint64_t memory_hits = 0;
  std::uint64_t disk_hits = 0;
  std::uint64_t corrupt_blobs = 0;  // missing blob, or size or hash mismatch found on read
};

class TieredCache final : public BodySources {
 public:
  // key_salt: mixed into every memory-tier key. Sites share a worker's
  // memory tier, and XXH3-128 is not collision-resistant: a publisher could
  // make a file with the hash of another site's file and have the shared tier
  // serve its bytes under that site's URL. A random salt per site keeps each
  // site's keys apart (identical files of two sites are then held twice).
  // Zero (one site): the content hash as is.
  TieredCache(BlobStore& store, MemoryTier& memory, const ContentHash& key_salt = {});

  // Storage error if the blob is missing, truncated or corrupt: the caller
  // answers 503 for this request and the object is never served.
  // file_min: a variant at least this large is served as a file even when
  // the memory tier holds it, and the memory tier is left alone. For a
  // socket that sendfile()s without a copy, a write from RAM costs one copy
  // more; measured on loopback, that copy outweighs the page-cache lookup
  // from 256-512 KiB (README, "Memory and sendfile").
  Result<BodySource> body(const Variant& variant, std::uint64_t file_min = kNever) override;
  // Purge: forgets the blob in both tiers (bodies already handed out stay valid).
  void purge(const ContentHash& hash);
  // The sender of a file body found the file shorter than file.size (issue
  // 21, item 7): BlobStore::short_file(). The response cannot be completed;
  // the caller closes the connection. Later requests re-check the file (503
  // while it is short). The memory tier is left alone: what it holds was
  // hash-checked and is still right.
  void short_file(const OpenBlob& file) { store_.short_file(file); }

  const TieredCacheStats& stats() const { return stats_; }

 private:
  Result<BodySource> from_file(const Variant& variant);
  ContentHash memory_key(const ContentHash& hash) const { return ContentHash{hash.high ^ salt_.high, hash.low ^ salt_.low}; }

  BlobStore& store_;
  MemoryTier& memory_;
  ContentHash salt_;
  TieredCacheStats stats_;
};

}  // namespace relais
