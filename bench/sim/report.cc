#include "bench/sim/report.h"

#include <cstdarg>
#include <cstdio>
#include <map>
#include <string>

namespace relais::sim {

namespace {

void appendf(std::string& out, const char* format, ...) __attribute__((format(printf, 2, 3)));
void appendf(std::string& out, const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  int n = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  if (n > 0) {
    std::size_t at = out.size();
    out.resize(at + static_cast<std::size_t>(n) + 1);
    std::vsnprintf(out.data() + at, static_cast<std::size_t>(n) + 1, format, again);
    out.resize(at + static_cast<std::size_t>(n));
  }
  va_end(again);
}

std::string human_bytes(std::uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char text[32];
  std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return text;
}

// rows of one trace and size, by policy.
using Cell = std::map<PolicyKind, MissCounts>;
std::map<std::pair<std::string, double>, Cell> by_trace_and_size(const std::vector<SimRow>& rows) {
  std::map<std::pair<std::string, double>, Cell> cells;
  for (const SimRow& r : rows) cells[{r.trace, r.cache_percent}][r.policy] = r.counts;
  return cells;
}

double ratio(double a, double b) { return b > 0 ? a / b : 0; }

}  // namespace

std::string results_markdown(std::string_view title, const std::vector<TraceSummary>& traces,
                             const std::vector<SimRow>& rows, const TierModel& tier) {
  std::string md;
  appendf(md, "# Cache-policy simulation, %.*s\n\n", static_cast<int>(title.size()), title.data());
  appendf(md,
          "Produced by `bench/sim/run.sh` (`relais-sim`, see bench/sim/README.md). Relais (W-TinyLFU) is the "
          "memory tier's policy (`edge/cache/w_tinylfu_policy.cc`), S3-FIFO its predecessor "
          "(`edge/cache/s3fifo_policy.cc`), both linked, not reimplemented. Every policy is "
          "charged payload + %llu B per object and skips objects above %s, as `MemoryTier` does; cache size "
          "is a percentage of the working set (sum of those charges over the distinct objects the tier may "
          "hold). Belady = offline furthest-next-request eviction with bypass, the classic heuristic for "
          "variable sizes (not the exact optimum).\n\n",
          static_cast<unsigned long long>(tier.overhead_bytes), human_bytes(tier.max_object_bytes).c_str());

  md += "## Traces\n\n";
  md += "| trace | requests | memory-tier requests | bypass (> max object) | objects | one-hit objects | working set |\n";
  md += "|---|---:|---:|---:|---:|---:|---:|\n";
  for (const TraceSummary& t : traces) {
    const TraceProfile& p = t.profile;
    appendf(md, "| %s | %llu | %llu | %.1f %% | %llu | %.1f %% | %s |\n", t.name.c_str(),
            static_cast<unsigned long long>(p.requests), static_cast<unsigned long long>(p.tier_requests),
            100 * ratio(static_cast<double>(p.bypass_requests), static_cast<double>(p.requests)),
            static_cast<unsigned long long>(p.objects),
            100 * ratio(static_cast<double>(p.one_hit_objects), static_cast<double>(p.objects)),
            human_bytes(p.working_set_bytes).c_str());
  }

  md += "\n## Miss ratios\n\n";
  md += "| trace | cache size (% of working set) | cache bytes | policy | object miss ratio | byte miss ratio |\n";
  md += "|---|---:|---:|---|---:|---:|\n";
  for (const SimRow& r : rows) {
    appendf(md, "| %s | %g | %s | %.*s | %.4f | %.4f |\n", r.trace.c_str(), r.cache_percent,
            human_bytes(r.capacity_bytes).c_str(), static_cast<int>(policy_name(r.policy).size()),
            policy_name(r.policy).data(), r.counts.object_miss_ratio(), r.counts.byte_miss_ratio());
  }

  md += "\n## Relais (W-TinyLFU) and S3-FIFO against LRU and Belady\n\n";
  md += "Ratios below 1 mean the policy misses less than LRU (target for the memory tier's policy: <= 0.85 "
        "on the mixed traces). \"gap to Belady\" is W-TinyLFU's miss ratio minus Belady's, in points.\n\n";
  md += "| trace | cache size (%) | W-TinyLFU / LRU (objects) | W-TinyLFU / LRU (bytes) | S3-FIFO / LRU (objects) | "
        "S3-FIFO / LRU (bytes) | W-TinyLFU gap to Belady (objects) | W-TinyLFU gap to Belady (bytes) |\n";
  md += "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& [where, cell] : by_trace_and_size(rows)) {
    // "-" where relais-sim --policies left a policy out.
    auto compare = [&](PolicyKind a, PolicyKind b, bool gap) {
      auto x = cell.find(a), y = cell.find(b);
      if (x == cell.end() || y == cell.end()) return std::string(" - | - |");
      const MissCounts &p = x->second, &q = y->second;
      char text[64];
      if (gap) {
        std::snprintf(text, sizeof text, " %+.2f | %+.2f |", 100 * (p.object_miss_ratio() - q.object_miss_ratio()),
                      100 * (p.byte_miss_ratio() - q.byte_miss_ratio()));
      } else {
        std::snprintf(text, sizeof text, " %.3f | %.3f |", ratio(p.object_miss_ratio(), q.object_miss_ratio()),
                      ratio(p.byte_miss_ratio(), q.byte_miss_ratio()));
      }
      return std::string(text);
    };
    appendf(md, "| %s | %g |", where.first.c_str(), where.second);
    md += compare(PolicyKind::wtinylfu, PolicyKind::lru, false);
    md += compare(PolicyKind::s3fifo, PolicyKind::lru, false);
    md += compare(PolicyKind::wtinylfu, PolicyKind::belady, true);
    md += "\n";
  }
  return md;
}

std::string results_dat(std::string_view trace, const std::vector<SimRow>& rows) {
  std::string dat = "# cache_percent";
  for (PolicyKind k : kAllPolicies) {
    // Column names without spaces: "Relais (W-TinyLFU)" -> "W-TinyLFU".
    std::string_view name = k == PolicyKind::wtinylfu ? "W-TinyLFU" : policy_name(k);
    appendf(dat, " %.*s_objects %.*s_bytes", static_cast<int>(name.size()), name.data(),
            static_cast<int>(name.size()), name.data());
  }
  dat += "\n";
  for (const auto& [where, cell] : by_trace_and_size(rows)) {
    if (where.first != trace) continue;
    appendf(dat, "%g", where.second);
    for (PolicyKind k : kAllPolicies) {
      auto it = cell.find(k);
      MissCounts c = it == cell.end() ? MissCounts{} : it->second;
      appendf(dat, " %.6f %.6f", c.object_miss_ratio(), c.byte_miss_ratio());
    }
    dat += "\n";
  }
  return dat;
}

}  // namespace relais::sim
