#include "bench/sim/mixed_trace.h"

#include <cstdio>
#include <vector>

#include "bench/sim/rng.h"
#include "bench/sim/zipf_sampler.h"

namespace relais::sim {

namespace {
constexpr std::uint64_t kMinBytes = 128;
constexpr std::uint64_t kMaxBytes = std::uint64_t{4} << 20;
}  // namespace

std::string mixed_trace_name(const MixedTraceParams& p) {
  char name[64];
  std::snprintf(name, sizeof name, "mixed-zipf-%.1f", p.alpha);
  return name;
}

Trace make_mixed_trace(const MixedTraceParams& p) {
  Rng rng(p.seed * 0x100000001B3ull + static_cast<std::uint64_t>(p.alpha * 1000));
  TraceBuilder trace(mixed_trace_name(p));
  std::vector<std::uint64_t> sizes(p.catalog_objects);
  for (std::uint64_t& s : sizes) s = rng.lognormal_bytes(p.median_bytes, p.size_sigma, kMinBytes, kMaxBytes);
  const std::vector<std::uint32_t> object_of_rank = shuffled_indices(p.catalog_objects, rng);
  const ZipfSampler zipf(p.catalog_objects, p.alpha);

  // Event starts, evenly spread: scan k starts at (k + 0.5) / scans of the trace,
  // crawl k at (k + 0.25) / crawls, so neither is cut off by the end of a default run.
  auto start_of = [&](std::uint32_t k, std::uint32_t count, double offset) {
    return static_cast<std::uint64_t>((k + offset) / count * static_cast<double>(p.requests));
  };
  std::uint32_t next_scan = 0, next_crawl = 0;
  std::uint32_t scan_left = 0, crawl_pos = p.catalog_objects;  // nothing running
  std::uint64_t fresh_key = p.catalog_objects;                  // one-hit wonders follow the catalog

  for (std::uint64_t i = 0; i < p.requests; ++i) {
    if (next_scan < p.scans && i >= start_of(next_scan, p.scans, 0.5)) {
      ++next_scan;
      scan_left += p.scan_objects;
    }
    if (next_crawl < p.crawls && i >= start_of(next_crawl, p.crawls, 0.25)) {
      ++next_crawl;
      crawl_pos = 0;
    }
    if (crawl_pos < p.catalog_objects && rng.chance(p.crawl_share)) {
      trace.add(crawl_pos, sizes[crawl_pos]);
      ++crawl_pos;
    } else if (scan_left > 0 && rng.chance(p.scan_share)) {
      trace.add(fresh_key++, rng.lognormal_bytes(p.median_bytes, p.size_sigma, kMinBytes, kMaxBytes));
      --scan_left;
    } else {
      std::uint32_t object = object_of_rank[zipf.draw(rng)];
      trace.add(object, sizes[object]);
    }
  }
  return std::move(trace).finish();
}

}  // namespace relais::sim
