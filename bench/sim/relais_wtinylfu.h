// RelaisWTinyLfu: WTinyLfuPolicy (edge/cache/w_tinylfu_policy.h), the memory
// tier's policy (MemoryTier::Policy), driven as MemoryTier drives it.
#pragma once

#include "bench/sim/relais_policy.h"
#include "edge/cache/w_tinylfu_policy.h"

namespace relais::sim {

class RelaisWTinyLfu final : public RelaisPolicy<WTinyLfuPolicy> {
 public:
  explicit RelaisWTinyLfu(std::uint64_t capacity_bytes) : RelaisPolicy(capacity_bytes, "Relais (W-TinyLFU)") {}
};

}  // namespace relais::sim
