// FifoPolicy: byte-bounded first-in-first-out, the other baseline.
//
// A hit changes nothing; a miss inserts at the head and evicts the oldest
// insertions until the charges fit. O(1) per request.
#pragma once

#include <cstdint>
#include <vector>

#include "bench/sim/object_list.h"
#include "bench/sim/sim_policy.h"

namespace relais::sim {

class FifoPolicy final : public SimPolicy {
 public:
  FifoPolicy(std::uint64_t capacity_bytes, std::size_t objects);
  bool request(std::uint32_t object, std::uint64_t charge, std::uint32_t next_use) override;
  std::string_view name() const override { return "FIFO"; }
  std::uint64_t used_bytes() const { return used_; }

 private:
  std::uint64_t capacity_;
  std::uint64_t used_ = 0;
  ObjectList list_;
  std::vector<std::uint64_t> charge_;
};

}  // namespace relais::sim
