// RelaisPolicy: one of the memory tier's real policies, driven as MemoryTier
// drives it.
//
// Wraps an edge/cache policy class (S3FifoPolicy, WTinyLfuPolicy; linked from
// relais_cache: not a reimplementation) and replays MemoryTier::find/insert
// for one request: access(key); on a miss, insert(key, payload +
// kObjectOverheadBytes). The payload+overhead charge and the admission rule
// (size <= max_object_bytes, size + overhead <= capacity) are applied by the
// simulator for every policy alike. MemoryTier itself is not driven because
// it charges payload.size(): it would need real payload bytes, gigabytes of
// copies per run; bench/sim/tests/policies_test.cc checks on a small trace that
// the wrapper of MemoryTier's policy and a real MemoryTier make the same hits.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "bench/sim/sim_policy.h"
#include "origin-sync/content_hash.h"

namespace relais::sim {

// The ContentHash a trace object stands for (distinct objects, distinct keys;
// the high half is random like an XXH3 digest, the low half is the index).
ContentHash relais_key(std::uint32_t object);
// MemoryTier's own table sizing (memory_tier.cc), passed to the policy as
// MemoryTier passes it: it sizes tables and the sketch, as on the edge.
std::size_t tier_expected_objects(std::uint64_t capacity_bytes);

template <class Policy>
class RelaisPolicy : public SimPolicy {
 public:
  RelaisPolicy(std::uint64_t capacity_bytes, std::string_view name)
      : policy_(capacity_bytes, tier_expected_objects(capacity_bytes)), name_(name) {
    evicted_.reserve(64);
  }
  bool request(std::uint32_t object, std::uint64_t charge, std::uint32_t /*next_use*/) final {
    const ContentHash k = relais_key(object);
    if (policy_.access(k)) return true;
    evicted_.clear();
    (void)policy_.insert(k, charge, evicted_);
    return false;
  }
  std::string_view name() const final { return name_; }
  const Policy& policy() const { return policy_; }
  static ContentHash key(std::uint32_t object) { return relais_key(object); }

 private:
  Policy policy_;
  std::string_view name_;
  std::vector<ContentHash> evicted_;  // scratch, as in MemoryTier
};

}  // namespace relais::sim
