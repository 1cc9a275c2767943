// ObjectList: a doubly-linked list of dense object indices, O(1) everything.
//
// The recency/insertion order of LRU and FIFO. Links live in two vectors
// sized to the trace's object count at construction, so a replay allocates
// nothing per request. An object is in the list or not; pushing one that is
// already in, or removing one that is not, is a programmer error.
#pragma once

#include <cstdint>
#include <vector>

#include "origin-sync/assert.h"

namespace relais::sim {

class ObjectList {
 public:
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};

  explicit ObjectList(std::size_t objects) : prev_(objects, kNone), next_(objects, kNone), in_(objects, false) {}

  bool contains(std::uint32_t o) const { return in_[o]; }
  bool empty() const { return head_ == kNone; }
  std::uint32_t tail() const { return tail_; }  // oldest

  void push_head(std::uint32_t o) {
    RELAIS_ASSERT(!in_[o]);
    in_[o] = true;
    prev_[o] = kNone;
    next_[o] = head_;
    if (head_ != kNone) prev_[head_] = o; else tail_ = o;
    head_ = o;
  }
  void remove(std::uint32_t o) {
    RELAIS_ASSERT(in_[o]);
    in_[o] = false;
    if (prev_[o] != kNone) next_[prev_[o]] = next_[o]; else head_ = next_[o];
    if (next_[o] != kNone) prev_[next_[o]] = prev_[o]; else tail_ = prev_[o];
  }

 private:
  std::vector<std::uint32_t> prev_, next_;
  std::vector<bool> in_;
  std::uint32_t head_ = kNone, tail_ = kNone;
};

}  // namespace relais::sim
