// BlobQuarantine: blob files found corrupt that could not be removed.
//
// Why: the re-hasher (blob_scrubber.h) removes a corrupt blob so that the
// next sync fetches it again and every worker's next open() fails. When the
// store is read-only to the edge, the file stays; this list keeps it from
// being served. An entry names the file's inode (device, inode number), not
// just the hash: a good copy written by a later sync is a new inode and is
// served again.
//
// Shared by the scrubber thread (writer) and every worker's BlobStore
// (readers). Readers poll version() (one relaxed atomic load per blob open)
// and take a new snapshot, under the lock, only when it changed: the hit path
// takes no lock. Bounded: kMaxEntries (a store with more corrupt files than
// that is a failed disk; add() then refuses and the scrubber logs it).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "origin-sync/content_hash.h"

namespace relais {

struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

class BlobQuarantine {
 public:
  static constexpr std::size_t kMaxEntries = 65536;  // ~3 MiB of snapshot at worst
  using Snapshot = std::unordered_map<ContentHash, FileIdentity, ContentHashHasher>;

  // False when full (the blob is then still served: the caller must say so).
  bool add(const ContentHash& hash, FileIdentity file);
  // Changes each time an entry is added; 0 while empty.
  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }
  std::shared_ptr<const Snapshot> snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> entries_ = std::make_shared<const Snapshot>();
  std::atomic<std::uint64_t> version_{0};
};

}  // namespace relais
