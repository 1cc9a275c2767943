#include "edge/cache/memory_tier.h"

#include <algorithm>
#include <utility>

#include "origin-sync/assert.h"

namespace relais {

namespace {
// Same guess as the policy: typical compressed lesson page or exercise sheet.
constexpr std::uint64_t kGuessedObjectBytes = 4096 + MemoryTier::kObjectOverheadBytes;
constexpr std::size_t kMaxReservedObjects = std::size_t{1} << 20;

}  // namespace

std::size_t MemoryTier::expected_objects(std::uint64_t capacity_bytes) {
  return static_cast<std::size_t>(
      std::min<std::uint64_t>(capacity_bytes / kGuessedObjectBytes + 1, kMaxReservedObjects));
}

MemoryTier::MemoryTier(std::uint64_t capacity_bytes, std::uint64_t max_object_bytes)
    : max_object_bytes_(max_object_bytes), policy_(capacity_bytes, expected_objects(capacity_bytes)) {
  objects_.reserve(expected_objects(capacity_bytes));
  evicted_.reserve(64);
}

MemoryLookup MemoryTier::find(const ContentHash& hash) {
  if (!policy_.access(hash)) {
    ++stats_.misses;
    return {};
  }
  auto it = objects_.find(hash);
  RELAIS_ASSERT(it != objects_.end());
  if (!it->second.object) {
    ++stats_.misses;
    return {nullptr, true};
  }
  ++stats_.hits;
  return {it->second.object, true};
}

bool MemoryTier::admits(std::uint64_t bytes) const {
  return bytes <= max_object_bytes_ && bytes + kObjectOverheadBytes <= policy_.capacity_bytes();
}

MemoryRef MemoryTier::insert(const ContentHash& hash, std::string bytes) {
  auto object = std::make_shared<MemoryObject>(MemoryObject{hash, std::move(bytes)});
  const std::uint64_t size = object->bytes.size();
  if (!admits(size)) return object;
  // A resident copy (same hash, same bytes) is replaced: the policy re-queues it.
  if (Resident* slot = take(hash, size)) hold(*slot, object);
  return object;
}

void MemoryTier::admit(const ContentHash& hash, std::uint64_t bytes) {
  if (admits(bytes)) (void)take(hash, bytes);
}

MemoryRef MemoryTier::attach(const ContentHash& hash, std::string bytes) {
  auto it = objects_.find(hash);
  if (it == objects_.end() || it->second.object || it->second.bytes != bytes.size()) {
    return insert(hash, std::move(bytes));
  }
  auto object = std::make_shared<MemoryObject>(MemoryObject{hash, std::move(bytes)});
  hold(it->second, object);
  return object;
}

MemoryTier::Resident* MemoryTier::take(const ContentHash& hash, std::uint64_t bytes) {
  drop(hash);
  evicted_.clear();
  const bool kept = policy_.insert(hash, bytes + kObjectOverheadBytes, evicted_);
  // Victims are dropped even when the object itself was not kept: W-TinyLFU
  // may evict window objects that lost admission while refusing this one.
  for (const ContentHash& victim : evicted_) {
    if (drop(victim)) ++stats_.evictions;
  }
  if (!kept) return nullptr;
  return &objects_.emplace(hash, Resident{nullptr, bytes}).first->second;
}

void MemoryTier::hold(Resident& slot, MemoryRef object) {
  slot.object = std::move(object);
  stats_.used_bytes += slot.bytes;
  ++stats_.objects;
  ++stats_.insertions;
}

void MemoryTier::erase(const ContentHash& hash) {
  policy_.erase(hash);
  (void)drop(hash);
}

bool MemoryTier::drop(const ContentHash& hash) {
  auto it = objects_.find(hash);
  if (it == objects_.end()) return false;
  const bool had_payload = it->second.object != nullptr;
  if (had_payload) {
    stats_.used_bytes -= it->second.bytes;
    --stats_.objects;
  }
  objects_.erase(it);
  return had_payload;
}

}  // namespace relais
