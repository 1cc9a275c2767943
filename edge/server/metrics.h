// Prometheus text exposition (format 0.0.4) of the edge's counters.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "edge/server/worker_stats.h"
#include "edge/storage/blob_rehasher.h"
#include "origin-sync/store_sync.h"

namespace relais::pull {
struct PulledDiskStats;
}

namespace relais {

struct SyncStats;

// One configured site's catalog, publication, sync and re-hash: their
// families carry a `site` label (its name), one series per site, so that an
// operator can alert on one publisher's sync while the others are fine.
// Bounded by the number of configured sites (kMaxConfiguredSites).
struct SiteGauges {
  std::string name;
  std::uint64_t catalog_generation = 0;
  std::uint64_t catalog_entries = 0;
  bool catalog_loaded = false;
  // With trusted keys and a signed publication in service:
  bool publication_signed = false;
  double publication_age_seconds = 0;      // now - its publication time
  std::int64_t publication_expires_unix = 0;
  bool publication_expired = false;        // served anyway, /healthz says degraded
  const SyncStats* sync = nullptr;         // its sync thread's (enabled only with an origin)
  const RehashStats* rehash = nullptr;     // its re-hash thread's (enabled only with a rate)
};

// Edge-wide values: no site label (connections, memory, log, uptime).
struct EdgeGauges {
  std::uint64_t memory_capacity_bytes = 0;
  std::uint64_t max_connections = 0;
  std::uint64_t access_log_dropped_bytes = 0;
  double uptime_seconds = 0;
  std::vector<SiteGauges> sites;
  const pull::PulledDiskStats* pull_disk = nullptr;  // the disk tier of pulled objects, when there is one
  // With health probes: the probed origins, by WorkerStats::pull_origin_down index.
  const std::vector<std::string>* probed_origins = nullptr;
};

// Counters of the background origin sync (sync_loop.h). Written by the sync
// thread, read by the admin thread: relaxed atomics, no lock. Failure
// reasons are indexed by origin-sync's SyncFailure (store_sync.h).
struct SyncStats {
  static constexpr int kFailureKinds = kSyncFailureKinds;
  std::atomic<bool> enabled{false};
  std::atomic<std::uint64_t> syncs{0};             // attempts finished
  std::atomic<std::uint64_t> not_modified{0};      // of which 304
  std::atomic<std::uint64_t> failures[kFailureKinds] = {};
  std::atomic<std::int64_t> last_success_unix{0};  // 0: never
  std::atomic<std::uint64_t> last_duration_ms{0};
  std::atomic<std::uint64_t> blobs_fetched{0};     // verified and stored
  std::atomic<std::uint64_t> blobs_failed{0};      // failed attempts (network, HTTP, verification)
  std::atomic<std::uint64_t> blobs_rejected{0};    // failed verification, deleted
  std::atomic<std::uint64_t> bytes_fetched{0};
  std::atomic<std::uint64_t> blobs_collected{0};   // garbage-collected
  std::atomic<bool> last_ok{false};
};

// Names of SyncStats::failures, by index (SyncFailure order).
extern const char* const kSyncFailureNames[SyncStats::kFailureKinds];

// site_names: the histograms' site label, by ResponseSummary::site (worker.h).
std::string render_metrics(const std::vector<const WorkerStats*>& workers, const EdgeGauges& gauges,
                           const std::vector<std::string>* site_names = nullptr);

}  // namespace relais
