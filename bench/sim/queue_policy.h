// The two reference policies that are one byte-bounded queue each:
// LRU (a hit moves the object to the head) and FIFO (a hit changes nothing).
// A miss inserts at the head and evicts from the tail until the charges fit.
// O(1) per request; one ObjectList and a charge per object (sized to the
// trace's object count).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "bench/sim/object_list.h"
#include "bench/sim/sim_policy.h"

namespace relais::sim {

class QueuePolicy : public SimPolicy {
 public:
  bool request(std::uint32_t object, std::uint64_t charge, std::uint32_t next_use) final;
  std::string_view name() const final { return name_; }
  std::uint64_t used_bytes() const { return used_; }

 protected:
  QueuePolicy(std::uint64_t capacity_bytes, std::size_t objects, bool move_on_hit, std::string_view name);

 private:
  std::uint64_t capacity_;
  std::uint64_t used_ = 0;
  bool move_on_hit_;
  std::string_view name_;
  ObjectList list_;
  std::vector<std::uint64_t> charge_;
};

// Least recently used: the baseline.
class LruPolicy final : public QueuePolicy {
 public:
  LruPolicy(std::uint64_t capacity_bytes, std::size_t objects) : QueuePolicy(capacity_bytes, objects, true, "LRU") {}
};

// First in, first out: the other baseline.
class FifoPolicy final : public QueuePolicy {
 public:
  FifoPolicy(std::uint64_t capacity_bytes, std::size_t objects) : QueuePolicy(capacity_bytes, objects, false, "FIFO") {}
};

}  // namespace relais::sim
