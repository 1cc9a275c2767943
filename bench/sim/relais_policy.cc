#include "bench/sim/relais_policy.h"

#include <algorithm>

#include "bench/sim/rng.h"
#include "edge/cache/memory_tier.h"

namespace relais::sim {

ContentHash relais_key(std::uint32_t object) {
  std::uint64_t state = object;
  return ContentHash{splitmix64(state), object};
}

std::size_t tier_expected_objects(std::uint64_t capacity_bytes) {
  return MemoryTier::expected_objects(capacity_bytes);
}

}  // namespace relais::sim
