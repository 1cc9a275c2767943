#include "bench/sim/queue_policy.h"

namespace relais::sim {

QueuePolicy::QueuePolicy(std::uint64_t capacity_bytes, std::size_t objects, bool move_on_hit, std::string_view name)
    : capacity_(capacity_bytes), move_on_hit_(move_on_hit), name_(name), list_(objects), charge_(objects, 0) {}

bool QueuePolicy::request(std::uint32_t object, std::uint64_t charge, std::uint32_t /*next_use*/) {
  if (list_.contains(object)) {
    if (move_on_hit_) {
      list_.remove(object);
      list_.push_head(object);
    }
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
