// BeladyPolicy: offline "furthest next request" eviction, the lower bound to aim at.
//
// Belady's MIN is optimal for unit-size objects. With variable sizes the
// exact optimum is NP-hard (Berger et al., "Practical Bounds on Optimal
// Caching with Variable Object Sizes", 2018); this is the classic heuristic
// used by simulators instead: on a miss, evict the resident whose next
// request is furthest in the future until the new object fits, and bypass
// the new object when its own next request is further than every candidate's
// (an object never requested again is never admitted). It is not a true
// bound for byte miss ratio: a size-aware policy can beat it on bytes.
//
// Cost: O(log n) amortised per request: a max-heap of (next request,
// object) with lazy deletion, compacted when stale entries outnumber
// residents 4 to 1, so memory stays proportional to the resident set.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "bench/sim/sim_policy.h"

namespace relais::sim {

class BeladyPolicy final : public SimPolicy {
 public:
  BeladyPolicy(std::uint64_t capacity_bytes, std::size_t objects);
  bool request(std::uint32_t object, std::uint64_t charge, std::uint32_t next_use) override;
  std::string_view name() const override { return "Belady"; }
  std::uint64_t used_bytes() const { return used_; }

 private:
  using Entry = std::pair<std::uint32_t, std::uint32_t>;  // (next request, object)
  void push(std::uint32_t object);
  bool stale(const Entry& e) const { return !resident_[e.second] || next_[e.second] != e.first; }
  void compact();

  std::uint64_t capacity_;
  std::uint64_t used_ = 0;
  std::size_t residents_ = 0;
  std::vector<Entry> heap_;
  std::vector<std::uint32_t> next_;
  std::vector<std::uint64_t> charge_;
  std::vector<bool> resident_;
};

}  // namespace relais::sim
