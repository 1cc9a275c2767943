// Mixed synthetic trace: Zipf popularity plus the traffic that breaks LRU.
//
// Three interleaved streams over one catalog of objects:
//   - readers: Zipf(alpha) over the catalog (alpha 0.6 flat .. 1.2 skewed);
//   - one-hit-wonder scans: `scans` bursts of never-repeated keys (a bot
//     probing URLs, cache-busting query strings), each `scan_objects` keys at
//     `scan_share` of the requests while it runs;
//   - periodic full crawls: `crawls` passes over the whole catalog in index
//     order (a search engine, a mirror, a prefetcher) at `crawl_share`.
// Sizes are log-normal (lesson pages and exercise sheets: median 12 KiB,
// sigma 1.2, clamped to [128 B, 4 MiB]), fixed per object. Events are spread
// evenly over the trace, so a shorter trace keeps the same mix.
// Deterministic: the same parameters give the same trace on every machine.
#pragma once

#include <cstdint>
#include <string>

#include "bench/sim/trace.h"

namespace relais::sim {

struct MixedTraceParams {
  double alpha = 0.9;
  std::uint64_t requests = 2'000'000;
  std::uint32_t catalog_objects = 100'000;
  double median_bytes = 12 * 1024;
  double size_sigma = 1.2;
  std::uint32_t scans = 10;
  std::uint32_t scan_objects = 20'000;
  double scan_share = 0.5;
  std::uint32_t crawls = 2;
  double crawl_share = 0.25;
  std::uint64_t seed = 1;
};

Trace make_mixed_trace(const MixedTraceParams& params);
// "mixed-zipf-0.9": the trace's name, without generating it.
std::string mixed_trace_name(const MixedTraceParams& params);

}  // namespace relais::sim
