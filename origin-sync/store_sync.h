// One sync of a store with its origin: the operation behind `relais-sync pull`
// and the edge's background sync loop (edge/server/sync_loop.h).
//
//   1. take STORE/.sync-lock (flock, non-blocking): one puller per store, so
//      an operator's `relais-sync pull` and the edge's loop never interleave,
//      and the temp files found under the lock are known to be stale;
//   2. remove stale temp files of crashed writers (partial downloads stay);
//   3. fetch the origin's manifest, conditionally for HTTP: the ETag of the
//      manifest now in the store is kept in STORE/.origin-etag (with the
//      origin URL it came from, written atomically after the manifest), and a
//      304 ends the sync with nothing fetched;
//   4. make room, before any fetch: collect what no catalog needs (blob_gc.h)
//      and check the free space against the sizes the manifest declares for
//      the blobs still to fetch (store_space.h); when it is short, the grace
//      period yields and every blob no catalog names goes; if it is still
//      short the sync fails with "not enough space: need X, have Y";
//      With trusted keys (publication_check.h), before step 4: the manifest
//      must carry a valid signature by one of them and be no older than the
//      store's newest accepted publication (publication_state.h), else it
//      is refused whole and nothing is fetched;
//   5. pull (store_pull.h): missing blobs only, verified (also against the
//      signed SHA-256), then the manifest, then STORE/.publication;
//   6. collect unreferenced blobs past the grace period (blob_gc.h).
// "No catalog needs it" means: named by none of the store's manifest (what an
// edge loads when it starts), the manifests live edges serve (pinned in the
// store, manifest_pin.h) and, before the fetch, the manifest being pulled. So
// a full disk never wedges syncing (a failed pull's blobs and partial files
// are collected by the next one, whatever the grace period), and no blob a
// catalog in service references is ever collected.
// A failure at any step leaves STORE/manifest, hence the catalog in service,
// as it was. The outcome names the failure's reason for metrics and logs.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "origin-sync/blob_gc.h"
#include "origin-sync/http_blob_fetcher.h"
#include "origin-sync/signing_key.h"
#include "origin-sync/store_pull.h"
#include "origin-sync/store_space.h"

namespace relais {

struct SyncSettings {
  std::string origin;  // http(s) URL or directory
  std::string store;
  unsigned jobs = 4;
  RetryPolicy retry;
  HttpFetchSettings http;             // connect and stall timeouts
  std::chrono::seconds gc_grace{3600};
  const std::atomic<bool>* cancel = nullptr;  // the edge stopping
  ProgressCounters* progress = nullptr;
  std::function<void(const std::string&)> warn;
  std::function<std::int64_t()> now;  // wall clock, unix seconds (GC); empty: the system clock
  Sleeper sleep;                      // retry waits; empty: real, cancellable
  FreeSpaceProbe free_space;          // empty: statvfs of the store
  // Null or empty: manifests are taken unsigned, as before signing existed.
  std::shared_ptr<const TrustedKeys> trusted_keys;
};

// The option values relais-sync pull and the edge's sync loop both turn into
// SyncSettings (the names differ: --connect-timeout there, --origin-timeout
// here): one mapping, so that a unit or a new knob cannot differ between them.
struct SyncLimits {
  unsigned retries = 4;  // after the first attempt
  std::uint64_t gc_grace_ms = 3'600'000;
  std::uint64_t connect_timeout_ms = 10'000;
  std::uint64_t stall_timeout_ms = 30'000;
  std::uint64_t min_rate = 1024;  // bytes per second
  std::uint64_t deadline_ms = 600'000;
};
SyncSettings sync_settings(std::string origin, std::string store, unsigned jobs, const SyncLimits& limits);

enum class SyncFailure : unsigned char {
  none,
  busy,              // another process holds the store's sync lock
  manifest_fetch,    // origin unreachable, timed out, or an HTTP error for the manifest
  manifest_invalid,  // garbage, truncated, unknown major version, unsafe path
  blob_fetch,        // a blob could not be downloaded after the retries
  blob_verify,       // a blob's bytes did not match its hash or size after the retries
  storage,           // the local disk
  cancelled,
  no_space,          // the blobs still to fetch do not fit, even after collecting what no catalog needs
  untrusted,         // trusted keys are set and the manifest is not signed by one of them
  rollback,          // a signed publication older than the store's newest accepted one
};
inline constexpr int kSyncFailureKinds = 11;
std::string_view sync_failure_name(SyncFailure f);

struct SyncOutcome {
  bool ok() const { return failure == SyncFailure::none; }
  SyncFailure failure = SyncFailure::none;
  std::optional<Error> error;  // set when !ok()
  bool not_modified = false;   // 304: nothing fetched
  PullReport pull;             // counters are valid even on failure
  GcReport gc;
  std::chrono::milliseconds duration{0};
};

SyncOutcome sync_store(const SyncSettings& settings);

// Names of the store's bookkeeping files.
inline constexpr std::string_view kSyncLockFileName = ".sync-lock";
inline constexpr std::string_view kOriginEtagFileName = ".origin-etag";

}  // namespace relais
