// BodySource and BodySources: "a body for this variant", from RAM or from disk.
//
// BodySources is the one thing the responder asks of the tiers below it:
// TieredCache implements it over the memory tier and the blob store; a test
// implements it with bytes in memory. A BodySource holds what it refers to
// (a reference-counted memory object, or an open blob file) so that a
// response can still be written after the object was evicted or purged.
#pragma once

#include <cstdint>

#include "edge/cache/memory_tier.h"
#include "edge/storage/open_blob.h"
#include "origin-sync/manifest.h"
#include "origin-sync/result.h"

namespace relais {

struct BodySource {
  MemoryRef memory;  // set for a memory-tier hit (or a fresh fill)
  FileRef file;      // set otherwise
  std::uint64_t size = 0;
  bool read_from_disk = false;  // this request read the blob (a file, or a fresh memory fill)
  bool from_memory() const { return memory != nullptr; }
  // Served from RAM without touching the disk: what the memory-tier hit metric counts.
  bool memory_hit() const { return memory != nullptr && !read_from_disk; }
};

class BodySources {
 public:
  static constexpr std::uint64_t kNever = UINT64_MAX;

  virtual ~BodySources() = default;

  // The verified bytes of variant, or an error (missing, truncated, corrupt:
  // the caller answers 503 and the object is never served). file_min: a
  // variant at least this large is handed out as a file even if RAM holds it.
  virtual Result<BodySource> body(const Variant& variant, std::uint64_t file_min = kNever) = 0;
};

}  // namespace relais
