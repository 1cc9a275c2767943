// Report: the simulator's results as a markdown document and gnuplot data.
//
// The markdown has three tables: the traces (what the memory tier sees of
// each), every miss ratio (trace, cache size as % of the working set,
// policy, object and byte miss ratio), and Relais's W-TinyLFU and S3-FIFO
// against LRU (and W-TinyLFU against Belady) per trace and size. The .dat of one trace has one line per cache
// size: percent, then object and byte miss ratio of each policy in
// kAllPolicies order (bench/sim/plot.gp reads these columns).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/sim/simulator.h"

namespace relais::sim {

struct TraceSummary {
  std::string name;
  TraceProfile profile;
};

struct SimRow {
  std::string trace;
  double cache_percent = 0;
  std::uint64_t capacity_bytes = 0;
  PolicyKind policy = PolicyKind::lru;
  MissCounts counts;
};

std::string results_markdown(std::string_view title, const std::vector<TraceSummary>& traces,
                             const std::vector<SimRow>& rows, const TierModel& tier);
std::string results_dat(std::string_view trace, const std::vector<SimRow>& rows);

}  // namespace relais::sim
