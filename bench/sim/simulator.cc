#include "bench/sim/simulator.h"

#include "bench/sim/belady_policy.h"
#include "bench/sim/queue_policy.h"
#include "bench/sim/relais_s3fifo.h"
#include "bench/sim/relais_wtinylfu.h"
#include "origin-sync/assert.h"

namespace relais::sim {

std::string_view policy_name(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::wtinylfu: return "Relais (W-TinyLFU)";
    case PolicyKind::s3fifo: return "S3-FIFO";
    case PolicyKind::lru: return "LRU";
    case PolicyKind::fifo: return "FIFO";
    case PolicyKind::belady: return "Belady";
  }
  return "?";
}

std::string_view policy_flag_name(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::wtinylfu: return "wtinylfu";
    case PolicyKind::s3fifo: return "s3fifo";
    case PolicyKind::lru: return "lru";
    case PolicyKind::fifo: return "fifo";
    case PolicyKind::belady: return "belady";
  }
  return "?";
}

std::unique_ptr<SimPolicy> make_policy(PolicyKind kind, std::uint64_t capacity_bytes, std::size_t objects) {
  switch (kind) {
    case PolicyKind::wtinylfu: return std::make_unique<RelaisWTinyLfu>(capacity_bytes);
    case PolicyKind::s3fifo: return std::make_unique<RelaisS3Fifo>(capacity_bytes);
    case PolicyKind::lru: return std::make_unique<LruPolicy>(capacity_bytes, objects);
    case PolicyKind::fifo: return std::make_unique<FifoPolicy>(capacity_bytes, objects);
    case PolicyKind::belady: return std::make_unique<BeladyPolicy>(capacity_bytes, objects);
  }
  RELAIS_ASSERT(false);
}

TraceProfile profile(const Trace& trace, const TierModel& tier) {
  TraceProfile p;
  std::vector<std::uint32_t> count(trace.objects(), 0);
  for (std::uint32_t object : trace.requests) {
    ++p.requests;
    std::uint64_t size = trace.object_bytes[object];
    if (size > tier.max_object_bytes) {
      ++p.bypass_requests;
      continue;
    }
    ++p.tier_requests;
    p.tier_bytes += size;
    if (count[object] < 2) ++count[object];
  }
  for (std::size_t o = 0; o < trace.objects(); ++o) {
    if (count[o] == 0) continue;
    ++p.objects;
    if (count[o] == 1) ++p.one_hit_objects;
    p.working_set_bytes += trace.object_bytes[o] + tier.overhead_bytes;
  }
  return p;
}

MissCounts replay(const Trace& trace, const std::vector<std::uint32_t>& next, SimPolicy& policy,
                  const TierModel& tier, std::uint64_t capacity_bytes) {
  RELAIS_ASSERT(next.size() == trace.requests.size());
  MissCounts c;
  for (std::size_t i = 0; i < trace.requests.size(); ++i) {
    std::uint32_t object = trace.requests[i];
    std::uint64_t size = trace.object_bytes[object];
    if (size > tier.max_object_bytes) continue;  // TieredCache: served from disk, tier untouched
    ++c.requests;
    c.bytes += size;
    const std::uint64_t charge = size + tier.overhead_bytes;
    bool hit = charge <= capacity_bytes && policy.request(object, charge, next[i]);
    if (!hit) {
      ++c.misses;
      c.miss_bytes += size;
    }
  }
  return c;
}

}  // namespace relais::sim
