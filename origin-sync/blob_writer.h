// BlobWriter: puts content-addressed blobs under ROOT/blobs/, crash-safely.
//
// Every blob is written through an AtomicFile (temp in its fan-out directory,
// fsync, rename), so a reader never sees a partial blob under its final name.
// The fsync of the fan-out directories is batched: sync_directories() must be
// called after the last blob and before the manifest that names them is
// written; that is what keeps "the manifest never points at a missing blob"
// true across a crash, at one directory fsync per touched directory rather
// than one per blob. A blob already present with the right size is not
// rewritten (content addressing: same name, same bytes). Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "origin-sync/atomic_file.h"
#include "origin-sync/content_hash.h"
#include "origin-sync/result.h"

namespace relais {

class BlobWriter {
 public:
  explicit BlobWriter(std::string root) : root_(std::move(root)) {}

  // Creates ROOT/blobs/00..ff (and fsyncs what it created).
  Status prepare();

  // True when the blob exists as a regular file of this size (a symlink,
  // even to one, is not: the edge refuses to follow it, so it is fetched).
  bool present(const ContentHash& hash, std::uint64_t size) const;

  // Writes bytes as blob `hash` unless present(); bytes must hash to `hash`.
  // Returns whether a file was written.
  Result<bool> write(const ContentHash& hash, std::string_view bytes);

  // An open temp file for a blob that arrives in pieces; commit_streamed()
  // checks the hash and size of what was written before the rename.
  Result<AtomicFile> begin(const ContentHash& hash);
  Status commit_streamed(AtomicFile& file, const ContentHash& expected_hash, std::uint64_t expected_size,
                         const ContentHash& actual_hash);

  // fsync every fan-out directory a blob was renamed into since the last call.
  Status sync_directories();

  std::uint64_t blobs_written() const { return written_.load(std::memory_order_relaxed); }
  const std::string& root() const { return root_; }

 private:
  void touched(const ContentHash& hash);

  std::string root_;
  std::array<std::atomic<bool>, 256> dirty_{};
  std::atomic<std::uint64_t> written_{0};
};

}  // namespace relais
