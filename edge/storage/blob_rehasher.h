// BlobRehasher: walks the store's blobs and re-hashes them, a slice at a time.
//
// Why: a blob larger than the memory tier takes is sent with sendfile() and
// never read by the edge, so bit rot or an in-place overwrite of the same
// size would be served for ever with the original ETag (issue 21, item 8).
// step() hashes at most a given number of bytes and remembers where it
// stopped (mid-file too: a 2 GiB video is hashed over many steps), so the
// caller sets the rate (edge/server/rehash_loop.h: --rehash-rate, on a
// low-priority thread, never on a worker's loop).
//
// The walk: blobs/00 .. blobs/ff, each listed when reached; names that are
// not 32 hex digits (temporary and .part files) are skipped, and so is what
// open_blob_file() refuses (the workers refuse it too). A file whose bytes do
// not hash to its name is corrupt: it is removed if the path still names the
// inode that was hashed (a sync may have replaced it meanwhile), so that
// every worker's next open() fails (a cached fd is dropped by its fstat(),
// blob_store.h) and the next sync fetches it again; if it cannot be removed
// (a store read-only to the edge) it is quarantined (blob_quarantine.h).
// Either way it is logged and counted. Not thread-safe: one per edge.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "edge/storage/blob_file.h"
#include "edge/storage/blob_quarantine.h"
#include "origin-sync/content_hash.h"

namespace relais {

// Written by the re-hasher's thread, read by the admin thread.
struct RehashStats {
  std::atomic<bool> enabled{false};
  std::atomic<std::uint64_t> blobs_checked{0};
  std::atomic<std::uint64_t> bytes_hashed{0};
  std::atomic<std::uint64_t> corrupt_found{0};
  std::atomic<std::uint64_t> passes{0};  // complete walks of the store
};

struct RehashStep {
  std::uint64_t bytes = 0;     // hashed by this step
  bool pass_finished = false;  // the walk came back to blobs/00
};

class BlobRehasher {
 public:
  // One read; also the most a step reads past nothing (bounds its memory).
  static constexpr std::size_t kChunkBytes = 1 << 20;

  using Log = std::function<void(std::string_view line)>;
  BlobRehasher(std::string root, BlobQuarantine& quarantine, RehashStats& stats, Log log,
               BlobOwners owners);

  // Hashes up to budget bytes (at least 1), opening, finishing and judging
  // files on the way. Ends early when a pass ends.
  RehashStep step(std::uint64_t budget);

 private:
  // Opens the next blob of the walk; false when the pass ended instead.
  bool open_next();
  void list_directory(unsigned fanout);
  // The whole file was read (or it ended early): compare and act.
  void finish(bool short_read);
  void found_corrupt(std::string_view why);

  std::string root_;
  BlobQuarantine& quarantine_;
  RehashStats& stats_;
  Log log_;
  BlobOwners owners_;
  unsigned next_fanout_ = 0;  // 256: every directory of this pass was listed
  std::vector<std::string> names_;
  std::size_t next_name_ = 0;
  // The file being hashed.
  BlobFile file_;
  std::string path_;
  ContentHash expected_;
  std::uint64_t offset_ = 0;
  ContentHasher hasher_;
  std::vector<char> buffer_;
};

}  // namespace relais
