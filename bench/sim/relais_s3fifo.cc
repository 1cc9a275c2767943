#include "bench/sim/relais_s3fifo.h"

#include <algorithm>

#include "bench/sim/rng.h"
#include "edge/cache/memory_tier.h"

namespace relais::sim {

namespace {
// MemoryTier's own table sizing (memory_tier.cc): it changes no decision,
// only when the policy's tables allocate.
std::size_t expected_objects(std::uint64_t capacity_bytes) {
  constexpr std::uint64_t kGuessedObjectBytes = 4096 + MemoryTier::kObjectOverheadBytes;
  constexpr std::size_t kMaxReservedObjects = std::size_t{1} << 20;
  return static_cast<std::size_t>(std::min<std::uint64_t>(capacity_bytes / kGuessedObjectBytes + 1, kMaxReservedObjects));
}
}  // namespace

RelaisS3Fifo::RelaisS3Fifo(std::uint64_t capacity_bytes)
    : policy_(capacity_bytes, expected_objects(capacity_bytes)) {
  evicted_.reserve(64);
}

ContentHash RelaisS3Fifo::key(std::uint32_t object) {
  std::uint64_t state = object;
  return ContentHash{splitmix64(state), object};
}

bool RelaisS3Fifo::request(std::uint32_t object, std::uint64_t charge, std::uint32_t /*next_use*/) {
  const ContentHash k = key(object);
  if (policy_.access(k)) return true;
  evicted_.clear();
  (void)policy_.insert(k, charge, evicted_);
  return false;
}

}  // namespace relais::sim
