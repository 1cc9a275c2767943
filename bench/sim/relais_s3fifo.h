// RelaisS3Fifo: the memory tier's real policy, driven as MemoryTier drives it.
//
// Wraps relais::S3FifoPolicy (edge/cache/s3fifo_policy.h, linked from
// relais_cache: not a reimplementation) and replays MemoryTier::find/insert
// for one request: access(key); on a miss, insert(key, payload +
// kObjectOverheadBytes). The payload+overhead charge and the admission rule
// (size <= max_object_bytes, size + overhead <= capacity) are applied by the
// simulator for every policy alike. MemoryTier itself is not driven because
// it charges payload.size(): it would need real payload bytes, gigabytes of
// copies per run; bench/sim/tests/policies_test.cc checks on a small trace that
// this wrapper and a real MemoryTier make the same hits.
#pragma once

#include <cstdint>
#include <vector>

#include "bench/sim/sim_policy.h"
#include "edge/cache/s3fifo_policy.h"

namespace relais::sim {

class RelaisS3Fifo final : public SimPolicy {
 public:
  explicit RelaisS3Fifo(std::uint64_t capacity_bytes);
  bool request(std::uint32_t object, std::uint64_t charge, std::uint32_t next_use) override;
  std::string_view name() const override { return "S3-FIFO"; }
  const S3FifoPolicy& policy() const { return policy_; }

  // The ContentHash a trace object stands for (distinct objects, distinct keys).
  static ContentHash key(std::uint32_t object);

 private:
  S3FifoPolicy policy_;
  std::vector<ContentHash> evicted_;  // scratch, as in MemoryTier
};

}  // namespace relais::sim
