#include "edge/cache/tiered_cache.h"

#include <string>
#include <utility>

namespace relais {

TieredCache::TieredCache(BlobStore& store, MemoryTier& memory) : store_(store), memory_(memory) {}

Result<BodySource> TieredCache::body(const Variant& variant) {
  // Objects the memory tier would never take skip it entirely: no lookup, and
  // no miss counted that no amount of memory could turn into a hit.
  if (!memory_.admits(variant.size)) {
    Result<FileRef> file = store_.open(variant.hash, variant.size);
    if (!file.ok()) {
      ++stats_.corrupt_blobs;
      return file.error();
    }
    ++stats_.disk_hits;
    return BodySource{nullptr, std::move(file).value(), variant.size, true};
  }
  if (MemoryRef hit = memory_.find(variant.hash)) {
    // Same hash, other size: the manifest contradicts the bytes we verified.
    // Serving them under this variant's Content-Length would corrupt the response.
    if (hit->bytes.size() != variant.size) {
      ++stats_.corrupt_blobs;
      return Error::storage("blob " + variant.hash.hex() + " has " + std::to_string(hit->bytes.size()) +
                            " bytes in memory, the manifest says " + std::to_string(variant.size));
    }
    ++stats_.memory_hits;
    return BodySource{std::move(hit), nullptr, variant.size};
  }
  Result<std::string> bytes = store_.read_verified(variant.hash, variant.size);
  if (!bytes.ok()) {
    // DESIGN.md: a blob is served only after its hash was checked; a bad one
    // stays out of RAM so that the next request re-reads (and re-reports) it.
    ++stats_.corrupt_blobs;
    return bytes.error();
  }
  ++stats_.disk_hits;
  MemoryRef fill = memory_.insert(variant.hash, std::move(bytes).value());
  return BodySource{std::move(fill), nullptr, variant.size, true};
}

void TieredCache::purge(const ContentHash& hash) {
  memory_.erase(hash);
  store_.forget(hash);
}

}  // namespace relais
