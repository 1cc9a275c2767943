// Simulator: replays a Trace through one policy at one cache size.
//
// The memory tier's rules, applied to every policy alike so that only the
// replacement decision differs:
//   - objects above max_object_bytes (4 MiB, memory-object-max's default)
//     bypass the tier, as TieredCache does: they are not counted at all
//     (no amount of memory turns them into hits; TraceProfile reports them);
//   - each object is charged payload + MemoryTier::kObjectOverheadBytes;
//   - an object whose charge exceeds the whole capacity is never admitted
//     but is counted as a miss (more memory would fix it), so every cache
//     size of one trace shares the same denominators.
// Miss ratios: object = misses / requests, byte = payload bytes of misses /
// payload bytes requested, over the requests the tier sees.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "bench/sim/sim_policy.h"
#include "bench/sim/trace.h"
#include "edge/cache/memory_tier.h"

namespace relais::sim {

struct TierModel {
  std::uint64_t max_object_bytes = std::uint64_t{4} << 20;
  std::uint64_t overhead_bytes = MemoryTier::kObjectOverheadBytes;
};

// wtinylfu is the memory tier's policy (MemoryTier::Policy), s3fifo its predecessor.
enum class PolicyKind { wtinylfu, s3fifo, lru, fifo, belady };
inline constexpr PolicyKind kAllPolicies[] = {PolicyKind::wtinylfu, PolicyKind::s3fifo, PolicyKind::lru,
                                              PolicyKind::fifo, PolicyKind::belady};
std::string_view policy_name(PolicyKind kind);
// The name relais-sim's --policies takes: wtinylfu, s3fifo, lru, fifo, belady.
std::string_view policy_flag_name(PolicyKind kind);
std::unique_ptr<SimPolicy> make_policy(PolicyKind kind, std::uint64_t capacity_bytes, std::size_t objects);

// What the memory tier sees of a trace.
struct TraceProfile {
  std::uint64_t requests = 0;           // all requests
  std::uint64_t tier_requests = 0;      // of objects <= max_object_bytes
  std::uint64_t tier_bytes = 0;         // payload bytes of those
  std::uint64_t bypass_requests = 0;    // of larger (or unknown-size) objects
  std::uint64_t objects = 0;            // distinct objects the tier may hold
  std::uint64_t one_hit_objects = 0;    // of those, requested exactly once
  std::uint64_t working_set_bytes = 0;  // sum of their charges: a cache this big misses only cold
};
TraceProfile profile(const Trace& trace, const TierModel& tier);

struct MissCounts {
  std::uint64_t requests = 0;
  std::uint64_t misses = 0;
  std::uint64_t bytes = 0;
  std::uint64_t miss_bytes = 0;

  double object_miss_ratio() const { return requests ? static_cast<double>(misses) / static_cast<double>(requests) : 0; }
  double byte_miss_ratio() const { return bytes ? static_cast<double>(miss_bytes) / static_cast<double>(bytes) : 0; }
};

// next: next_use(trace), computed once per trace and shared by every replay.
MissCounts replay(const Trace& trace, const std::vector<std::uint32_t>& next, SimPolicy& policy,
                  const TierModel& tier, std::uint64_t capacity_bytes);

}  // namespace relais::sim
