// BlobStore: read access to the content-addressed blobs of a store directory.
//
// Owns a bounded cache of open file descriptors (LRU), so that hot disk-tier
// objects are served with sendfile() without an open() per request. One
// instance per worker thread (not thread-safe, no locks); an fd evicted from
// the cache stays open while a FileRef to it is alive (a response still
// sending from it). The store never parses HTTP and knows nothing of requests.
//
// Trust: blobs were hash-checked by the pull that wrote them. Here every
// first open refuses what is not a regular file of the store's owner
// (blob_file.h: symlinks are never followed) and checks the size; every
// reuse of a cached fd fstat()s it again, so a blob truncated, removed or
// replaced under the fd is dropped and not served from it (issue 21, item
// 7). read_verified() re-checks the XXH3-128 of every byte it returns and
// remembers the blob as verified (verified_set.h), so the cache may later
// send it from disk without reading it again. Large blobs are never read
// here: the re-hasher (blob_scrubber.h) checks them in the background and
// removes or quarantines (blob_quarantine.h) a corrupt one, which every
// worker then stops serving. Errors are storage errors that name the blob's
// path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "edge/storage/blob_file.h"
#include "edge/storage/blob_quarantine.h"
#include "edge/storage/open_blob.h"
#include "edge/storage/verified_set.h"
#include "origin-sync/content_hash.h"
#include "origin-sync/result.h"
#include "origin-sync/unique_fd.h"

namespace relais {

// Counted by this worker's store; published to the metrics once a second.
struct BlobStoreStats {
  std::uint64_t short_files = 0;  // shorter than at open, found by re-validation or by a sender
  std::uint64_t refused = 0;      // symlink, not a regular file, foreign owner, or quarantined
  std::uint64_t corrupt = 0;      // read whole and its content did not match its hash
};

class BlobStore {
 public:
  // quarantine: shared with the re-hasher (nullptr: none). owners: who may
  // own a blob file (default: BlobOwners::of_store(root)).
  BlobStore(std::string root, std::size_t max_open_files, const BlobQuarantine* quarantine = nullptr,
            std::optional<BlobOwners> owners = std::nullopt);

  // Opens (or reuses) the blob. A missing file, one that is not a regular
  // file of the store's owner, one whose size is not expected_size
  // (truncated or replaced), or one quarantined as corrupt is a storage
  // error: never served.
  Result<FileRef> open(const ContentHash& hash, std::uint64_t expected_size);
  // Reads the whole blob and checks its size and XXH3-128 against hash.
  // Reuses a cached fd if there is one but does not cache a new one (the
  // bytes are going to the memory tier; the fd slot is for sendfile()).
  // A blob that fails the check is also dropped from the fd cache.
  Result<std::string> read_verified(const ContentHash& hash, std::uint64_t expected_size);
  // True once read_verified() has checked this blob (until a forget()).
  bool verified(const ContentHash& hash) const { return verified_.contains(hash); }
  // Closes the cached fd of hash, if any, and forgets what was verified
  // (purge). Held FileRefs stay valid.
  void forget(const ContentHash& hash);
  // A sender found file shorter than file.size (sendfile() returned 0, or
  // pread() hit the end, before the response's last byte): the blob was
  // truncated under the fd. Counts it, drops the cached fd if it is this
  // one (a newer one opened since stays) and forgets the blob as verified, so
  // that the next request re-checks the file and gets a 503 while it is short.
  void short_file(const OpenBlob& file);
  // True if file is the fd this store has cached for its blob (an edge with
  // several sites finds the store a short file came from).
  bool holds(const OpenBlob& file) const;

  const std::string& root() const { return root_; }
  std::size_t open_files() const { return by_hash_.size(); }
  const BlobStoreStats& stats() const { return stats_; }

 private:
  struct Slot {
    ContentHash hash;
    FileRef file;
  };
  using SlotMap = std::unordered_map<ContentHash, std::list<Slot>::iterator, ContentHashHasher>;
  Result<FileRef> open_file(const ContentHash& hash, std::uint64_t expected_size);
  // fstat() of a cached fd: false if the file shrank, grew, or was removed
  // or replaced at its path since it was opened.
  bool still_whole(const OpenBlob& file);
  void remember(const ContentHash& hash, FileRef file);
  void drop(SlotMap::iterator it);
  // Picks up what the re-hasher quarantined since the last call and closes
  // those cached fds. One atomic load when nothing changed.
  void refresh_quarantine();

  std::string root_;
  std::size_t max_open_;
  BlobOwners owners_;
  std::list<Slot> lru_;  // front = most recent
  SlotMap by_hash_;
  VerifiedSet verified_;
  const BlobQuarantine* quarantine_;
  std::uint64_t quarantine_version_ = 0;
  std::shared_ptr<const BlobQuarantine::Snapshot> quarantined_;
  BlobStoreStats stats_;
};

}  // namespace relais
