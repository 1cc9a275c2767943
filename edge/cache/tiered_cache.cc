#include "edge/cache/tiered_cache.h"

#include <string>
#include <utility>

namespace relais {

TieredCache::TieredCache(BlobStore& store, MemoryTier& memory, const ContentHash& key_salt)
    : store_(store), memory_(memory), salt_(key_salt) {}

Result<BodySource> TieredCache::body(const Variant& variant, std::uint64_t file_min) {
  // Objects the memory tier would never take skip it entirely: no lookup, and
  // no miss counted that no amount of memory could turn into a hit.
  if (!memory_.admits(variant.size) || variant.size >= file_min) return from_file(variant);
  const ContentHash key = memory_key(variant.hash);
  MemoryLookup found = memory_.find(key);
  if (MemoryRef hit = std::move(found.object)) {
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
  if (!found.resident && store_.verified(variant.hash)) {
    // Checked when this worker first read it: sent from disk like a large
    // blob; loaded into RAM only if the policy still holds it at its next
    // request (memory_tier.h).
    Result<BodySource> file = from_file(variant);
    if (file.ok()) memory_.admit(key, variant.size);
    return file;
  }
  Result<std::string> bytes = store_.read_verified(variant.hash, variant.size);
  if (!bytes.ok()) {
    // docs/ARCHITECTURE.md: a blob is served only after its hash was checked; a bad one
    // stays out of RAM so that the next request re-reads (and re-reports) it.
    ++stats_.corrupt_blobs;
    memory_.erase(key);
    return bytes.error();
  }
  ++stats_.disk_hits;
  MemoryRef fill = found.resident ? memory_.attach(key, std::move(bytes).value())
                                  : memory_.insert(key, std::move(bytes).value());
  return BodySource{std::move(fill), nullptr, variant.size, true};
}

Result<BodySource> TieredCache::from_file(const Variant& variant) {
  Result<FileRef> file = store_.open(variant.hash, variant.size);
  if (!file.ok()) {
    ++stats_.corrupt_blobs;
    return file.error();
  }
  ++stats_.disk_hits;
  return BodySource{nullptr, std::move(file).value(), variant.size, true};
}

void TieredCache::purge(const ContentHash& hash) {
  memory_.erase(memory_key(hash));
  store_.forget(hash);
}

}  // namespace relais
