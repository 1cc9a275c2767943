// Pull: make a store match an origin's manifest, never exposing bad bytes.
//
// Order of a pull:
//   1. fetch and parse the origin's manifest (a malformed one changes nothing:
//      it is rejected whole, e.g. for a path like "../../etc/passwd");
//   2. fetch each blob the store lacks into STORE/blobs/ab/.tmp.<hex>.part
//      (partial_blob.h), hashing and counting it on the way, with bounded
//      parallelism (jobs threads) and per-blob retries (retry_policy.h). A
//      network failure keeps the partial file and the retry resumes it
//      (resumable_fetcher.h); a blob whose XXH3-128 or size differs is deleted
//      and fetched again from zero; once the attempts run out the pull fails;
//   3. fsync the blob directories, then replace STORE/manifest atomically
//      with the origin's exact bytes.
// So an edge reading the store sees the old manifest with all its blobs or
// the new one with all of its blobs. Blob file names come from the hashes,
// never from manifest paths, so nothing a manifest says can make the puller
// write outside STORE/blobs/. Old blobs are left in place (a reader may still
// serve them); blob_gc.h collects them after a grace period.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "origin-sync/blob_fetcher.h"
#include "origin-sync/manifest_blobs.h"
#include "origin-sync/progress.h"
#include "origin-sync/result.h"
#include "origin-sync/retry_policy.h"

namespace relais {

struct PullReport {
  std::uint64_t files = 0;
  std::uint64_t blobs = 0;           // distinct blobs in the manifest
  std::uint64_t blobs_fetched = 0;   // of which were missing, fetched and verified
  std::uint64_t bytes_fetched = 0;   // body bytes received, resumed prefixes excluded
  std::uint64_t blobs_resumed = 0;   // fetches that continued a partial file
  std::uint64_t blobs_rejected = 0;  // downloads that failed verification (deleted, retried)
  std::uint64_t fetch_failures = 0;  // failed attempts of any kind (network, HTTP status, verification)
  std::uint64_t generation = 0;
  bool manifest_changed = false;
  bool verification_failed = false;  // the pull's error was a blob failing verification
};

struct PullOptions {
  unsigned jobs = 1;
  RetryPolicy retry = RetryPolicy::none();
  Sleeper sleep;       // empty: a real sleep that ends early when *cancel turns true
  UnitRandom random;   // empty: default_unit_random
  const std::atomic<bool>* cancel = nullptr;  // stop between blobs and during waits
  ProgressCounters* progress = nullptr;       // totals = blobs to fetch and their bytes
  std::function<void(const std::string&)> warn;  // one line per retried failure
};

// Steps 2 and 3 for a manifest already fetched. `report` is filled in even
// when the pull fails (its counters feed the edge's metrics).
Status pull_manifest_into_store(BlobFetcher& fetcher, const std::string& manifest_bytes,
                                const std::string& store_dir, const PullOptions& options, PullReport& report);

// The same for a manifest the caller has scanned already (store_sync.h needs
// its blobs before the pull too): `manifest` must be scan_manifest_blobs(bytes).
Status pull_scanned_manifest_into_store(BlobFetcher& fetcher, const std::string& bytes, const ManifestBlobs& manifest,
                                        const std::string& store_dir, const PullOptions& options, PullReport& report);

// The whole pull, without retries.
Result<PullReport> pull_into_store(BlobFetcher& fetcher, const std::string& store_dir, unsigned jobs);

}  // namespace relais
