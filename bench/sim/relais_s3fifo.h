// RelaisS3Fifo: S3FifoPolicy (edge/cache/s3fifo_policy.h), the memory tier's
// previous policy, kept in the simulator as the comparison W-TinyLFU had to beat.
#pragma once

#include "bench/sim/relais_policy.h"
#include "edge/cache/s3fifo_policy.h"

namespace relais::sim {

class RelaisS3Fifo final : public RelaisPolicy<S3FifoPolicy> {
 public:
  explicit RelaisS3Fifo(std::uint64_t capacity_bytes) : RelaisPolicy(capacity_bytes, "S3-FIFO") {}
};

}  // namespace relais::sim
