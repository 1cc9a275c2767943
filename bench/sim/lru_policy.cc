#include "bench/sim/lru_policy.h"

namespace relais::sim {

LruPolicy::LruPolicy(std::uint64_t capacity_bytes, std::size_t objects)
    : capacity_(capacity_bytes), list_(objects), charge_(objects, 0) {}

bool LruPolicy::request(std::uint32_t object, std::uint64_t charge, std::uint32_t /*next_use*/) {
  if (list_.contains(object)) {
    list_.remove(object);
    list_.push_head(object);
    return true;
  }
  if (charge > capacity_) return false;
  while (used_ + charge > capacity_) {
    std::uint32_t victim = list_.tail();
    list_.remove(victim);
    used_ -= charge_[victim];
  }
  list_.push_head(object);
  charge_[object] = charge;
  used_ += charge;
  return false;
}

}  // namespace relais::sim
