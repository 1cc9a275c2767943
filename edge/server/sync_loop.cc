#include "edge/server/sync_loop.h"

#include <cstdio>
#include <ctime>

namespace relais {

SyncLoop::SyncLoop(SyncSettings settings, std::chrono::milliseconds interval, SyncStats& stats,
                   std::function<void()> on_synced, std::string site)
    : settings_(std::move(settings)),
      interval_(interval),
      stats_(stats),
      on_synced_(std::move(on_synced)),
      who_(site.empty() ? "" : "site=" + site + " ") {
  settings_.cancel = &thread_.stopping();
  stats_.enabled.store(true);
}

void SyncLoop::start() {
  thread_.start([this] { run(); });
}

void SyncLoop::stop() { thread_.stop(); }

void SyncLoop::record(const SyncOutcome& o) {
  constexpr auto relaxed = std::memory_order_relaxed;
  stats_.syncs.fetch_add(1, relaxed);
  stats_.last_duration_ms.store(static_cast<std::uint64_t>(o.duration.count()), relaxed);
  stats_.blobs_fetched.fetch_add(o.pull.blobs_fetched, relaxed);
  stats_.blobs_failed.fetch_add(o.pull.fetch_failures, relaxed);
  stats_.blobs_rejected.fetch_add(o.pull.blobs_rejected, relaxed);
  stats_.bytes_fetched.fetch_add(o.pull.bytes_fetched, relaxed);
  stats_.blobs_collected.fetch_add(o.gc.blobs_removed, relaxed);
  stats_.last_ok.store(o.ok(), relaxed);
  if (o.ok()) {
    if (o.not_modified) stats_.not_modified.fetch_add(1, relaxed);
    stats_.last_success_unix.store(static_cast<std::int64_t>(std::time(nullptr)), relaxed);
    return;
  }
  const auto reason = static_cast<int>(o.failure);
  if (reason > 0 && reason < SyncStats::kFailureKinds) stats_.failures[reason].fetch_add(1, relaxed);
}

void SyncLoop::run() {
  do {
    SyncOutcome o = sync_store(settings_);
    record(o);
    if (o.ok()) {
      if (!o.not_modified) on_synced_();  // reload() is a no-op for the manifest bytes in service
      if (o.pull.blobs_rejected > 0)
        std::fprintf(stderr, "relais-edge: %ssync: %llu blobs failed verification, were deleted and fetched again\n",
                     who_.c_str(), static_cast<unsigned long long>(o.pull.blobs_rejected));
    } else if (o.failure != SyncFailure::cancelled) {
      // One line per failed sync: what failed, why, and that the edge keeps serving.
      std::fprintf(stderr, "relais-edge: %ssync from %s failed (%s): %s; keeping the catalog in service\n",
                   who_.c_str(), settings_.origin.c_str(), std::string(sync_failure_name(o.failure)).c_str(),
                   o.error ? o.error->message.c_str() : "?");
    }
  } while (thread_.wait_for(interval_));
}

}  // namespace relais
