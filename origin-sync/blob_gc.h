// Blob garbage collection: delete blobs no manifest has needed for a while.
//
// Why a grace period: when a sync publishes generation N+1, workers may still
// hold the catalog of generation N for requests in flight, and a worker that
// has not yet noticed the swap may open a blob of N. Unlinking a blob that a
// response is already sending from an open fd is safe on POSIX (the inode
// lives until the last fd closes; sendfile keeps working), but an open() after
// the unlink would fail. So a blob is deleted only once it has been
// unreferenced for `grace` (default 1 h), far longer than any catalog stays
// held after a swap.
//
// How "unreferenced since" is known: STORE/.unreferenced records, for every
// blob on disk that the current manifest does not name, the time the
// collector first saw it unreferenced ("<hex> <unix seconds>" per line,
// rewritten atomically). A blob that becomes referenced again leaves the
// record; a crash between two runs only delays deletion (a lost record
// restarts the clock, it never shortens it). File times are not used: the
// mtime of a blob is its download time, not when it stopped being needed.
//
// Also removed: stale temp files of crashed writers (".tmp.*" that are not
// partial downloads) and partial downloads of blobs the manifest no longer
// names. The caller must hold the store's sync lock (store_sync.h), so that
// no live writer's temp file is taken for a stale one.
//
// plan_gc() is a pure function of what is on disk, what is referenced, the
// previous record and `now`: tests pass the clock in.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "origin-sync/content_hash.h"
#include "origin-sync/hash_set.h"
#include "origin-sync/result.h"

namespace relais {

using UnreferencedSince = std::unordered_map<ContentHash, std::int64_t, ContentHashHasher>;  // unix seconds

struct GcPlan {
  std::vector<ContentHash> remove;
  UnreferencedSince record;  // what .unreferenced should say afterwards
};

GcPlan plan_gc(const std::vector<ContentHash>& on_disk, const HashSet& referenced, const UnreferencedSince& previous,
               std::int64_t now, std::chrono::seconds grace);

struct GcReport {
  std::uint64_t blobs_removed = 0;
  std::uint64_t bytes_removed = 0;
  std::uint64_t blobs_waiting = 0;   // unreferenced, still within the grace period
  std::uint64_t temp_files_removed = 0;
};

// Name of the record file inside the store.
inline constexpr std::string_view kUnreferencedFileName = ".unreferenced";

// `referenced` must be sealed (hash_set.h).
// Scans STORE/blobs, applies plan_gc() against `referenced`, deletes, and
// rewrites the record. `now` is seconds since the epoch.
Result<GcReport> collect_garbage(const std::string& store_dir, const HashSet& referenced, std::int64_t now,
                                 std::chrono::seconds grace);

// Deletes ".tmp.*" files under STORE and STORE/blobs/xx that are not partial
// downloads (".part"): leftovers of writers that crashed. Returns how many.
std::uint64_t remove_stale_temp_files(const std::string& store_dir);

}  // namespace relais
