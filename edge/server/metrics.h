// Prometheus text exposition (format 0.0.4) of the edge's counters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edge/server/worker_stats.h"

namespace relais {

struct EdgeGauges {
  std::uint64_t catalog_generation = 0;
  std::uint64_t catalog_entries = 0;
  bool catalog_loaded = false;
  std::uint64_t memory_capacity_bytes = 0;
  std::uint64_t max_connections = 0;
  std::uint64_t access_log_dropped_bytes = 0;
  double uptime_seconds = 0;
};

std::string render_metrics(const std::vector<const WorkerStats*>& workers, const EdgeGauges& gauges);

}  // namespace relais
