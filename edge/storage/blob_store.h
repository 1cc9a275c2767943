// BlobStore: read access to the content-addressed blobs of a store directory.
//
// Owns a bounded cache of open file descriptors (LRU), so that hot disk-tier
// objects are served with sendfile() without an open() per request. One
// instance per worker thread (not thread-safe, no locks); an fd evicted from
// the cache stays open while a FileRef to it is alive (a response still
// sending from it). The store never parses HTTP and knows nothing of requests.
//
// Trust: blobs were hash-checked by the pull that wrote them; here open()
// checks the size on every first open (a truncated or replaced file is
// refused and not cached) and read_verified() re-checks the XXH3-128 of every
// byte it returns, and remembers the blob as verified (verified_set.h), so
// the cache may later send it from disk without reading it again. Errors are
// storage errors that name the blob's path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "edge/storage/verified_set.h"
#include "origin-sync/content_hash.h"
#include "origin-sync/result.h"
#include "origin-sync/unique_fd.h"

namespace relais {

struct OpenBlob {
  UniqueFd fd;
  std::uint64_t size = 0;  // at open: the file may shrink later (sendfile() then ends early)
  ContentHash hash;        // to drop it from the caches when it does
};
using FileRef = std::shared_ptr<const OpenBlob>;

class BlobStore {
 public:
  BlobStore(std::string root, std::size_t max_open_files);

  // Opens (or reuses) the blob. A missing file, or one whose size is not
  // expected_size (truncated or replaced), is a storage error: never served.
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

  const std::string& root() const { return root_; }
  std::size_t open_files() const { return by_hash_.size(); }

 private:
  struct Slot {
    ContentHash hash;
    FileRef file;
  };
  Result<FileRef> open_file(const ContentHash& hash, std::uint64_t expected_size) const;
  void remember(const ContentHash& hash, FileRef file);

  std::string root_;
  std::size_t max_open_;
  std::list<Slot> lru_;  // front = most recent
  std::unordered_map<ContentHash, std::list<Slot>::iterator, ContentHashHasher> by_hash_;
  VerifiedSet verified_;
};

}  // namespace relais
