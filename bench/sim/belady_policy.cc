#include "bench/sim/belady_policy.h"

#include <algorithm>

#include "bench/sim/trace.h"
#include "origin-sync/assert.h"

namespace relais::sim {

namespace {
constexpr std::size_t kStaleFactor = 4;
constexpr std::size_t kMinHeapForCompaction = 1024;
}  // namespace

BeladyPolicy::BeladyPolicy(std::uint64_t capacity_bytes, std::size_t objects)
    : capacity_(capacity_bytes), next_(objects, kNever), charge_(objects, 0), resident_(objects, false) {}

void BeladyPolicy::push(std::uint32_t object) {
  heap_.emplace_back(next_[object], object);
  std::push_heap(heap_.begin(), heap_.end());
  if (heap_.size() > kMinHeapForCompaction && heap_.size() > kStaleFactor * residents_) compact();
}

void BeladyPolicy::compact() {
  std::erase_if(heap_, [this](const Entry& e) { return stale(e); });
  std::make_heap(heap_.begin(), heap_.end());
}

bool BeladyPolicy::request(std::uint32_t object, std::uint64_t charge, std::uint32_t next_use) {
  if (resident_[object]) {
    next_[object] = next_use;
    push(object);
    return true;
  }
  // Never requested again: keeping it cannot save a miss, only cost others.
  if (next_use == kNever || charge > capacity_) return false;
  while (used_ + charge > capacity_) {
    RELAIS_ASSERT(!heap_.empty());
    std::pop_heap(heap_.begin(), heap_.end());
    Entry top = heap_.back();
    if (stale(top)) {
      heap_.pop_back();
      continue;
    }
    if (top.first < next_use) {
      // The newcomer is wanted later than every resident left: bypass it.
      std::push_heap(heap_.begin(), heap_.end());
      return false;
    }
    heap_.pop_back();
    resident_[top.second] = false;
    used_ -= charge_[top.second];
    --residents_;
  }
  resident_[object] = true;
  next_[object] = next_use;
  charge_[object] = charge;
  used_ += charge;
  ++residents_;
  push(object);
  return false;
}

}  // namespace relais::sim
