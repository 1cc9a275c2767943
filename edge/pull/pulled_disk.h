// PulledDisk: the disk tier of pulled objects (pull-through,
// docs/PULL_THROUGH.md), shared by every worker of the edge, below their
// memory tables (pulled_table.h). It survives a restart.
//
// Owns a directory of its own (`pull-disk-dir`, never the published
// content-addressed blobs), an flock on it (a second edge on the same
// directory runs without a disk store instead of corrupting this one), the
// index of what is stored (pulled_disk_index.h, bounded by `pull-disk-size`
// and evicted by S3-FIFO), and one writer thread.
//
// Lifecycle of an object:
//   store() (a worker, after a fill or a 304)  -> queued (bounded by bytes; beyond, dropped)
//   writer thread: ".tmp.*" written, fsynced, renamed to "<key hex>.pull"   -> indexed;
//                  the keys its insertion evicted are unlinked
//   load() (a worker's memory miss)            -> up to file_min (`memory-object-max`): read
//                                                 and verified (size, XXH3 of head and body),
//                                                 the object, or removed; larger: the head
//                                                 read, the body left in the file and sent
//                                                 from its fd (PulledFile), once verified
// Verified: a file is sent without reading it only once its checksum was
// checked in this process: written by our writer (the bytes it stored), or
// read through once, a chunk at a time, by the first load() after a restart
// found it (DiskEntry::verified, remembered in the index). Every open checks
// the size the index knows (fstat): a file cut later is refused, one cut
// while it is sent ends that response with a reset. What this does not
// catch is a byte changed in place after the check, as for published blobs
// between re-hash passes (pulled_record.h: XXH3 detects corruption, and
// whoever can write the directory can make the edge serve anything).
//   purge() (the admin thread)                 -> unlinked, and dropped from the queue
//                                                 (a sliced head's slices with it)
//   open() (start-up)                          -> the directory scanned: temp files and
//                                                 files of a wrong size or head removed
// The index and the queue share one mutex, held for lookups and renames,
// never for a read, a write or an fsync of a body: the miss path, not the
// hit path (a worker's memory table answers hits without it).
// Destruction writes what is still queued, then joins the thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "edge/cache/freshness/response_facts.h"
#include "edge/pull/pulled_disk_index.h"
#include "edge/pull/pulled_table.h"
#include "origin-sync/result.h"
#include "origin-sync/unique_fd.h"

struct stat;

namespace relais::pull {

struct FileHead;

// The disk tier's keys begin with the site's name, not its index as the
// memory tables' do ("SITE_INDEX /path"): an index is this process's order of
// [site.*] sections, a name what the operator configured, so a restart with
// the sections reordered never serves one site's objects for another's. The
// implicit site (no sections) is "-".
std::string disk_site_label(std::string_view site_name);

struct PulledDiskSettings {
  std::string dir;
  std::uint64_t capacity_bytes = 1ull << 30;
  // Objects queued for the writer, in bytes: a disk slower than the origin
  // drops writes (the memory tier still has them) rather than growing RAM.
  std::uint64_t max_queued_bytes = 64ull << 20;
  // Files the start-up scan looks at; beyond, the rest are left alone.
  std::uint64_t max_scanned_files = 1ull << 20;
};

// Counters, written under the lock or by the writer, read by /metrics.
struct PulledDiskStats {
  std::atomic<std::uint64_t> hits{0};          // objects load() returned
  std::atomic<std::uint64_t> file_hits{0};     // ...of which left in their file (sent with sendfile)
  std::atomic<std::uint64_t> verified{0};      // files found at start-up read through once before a file hit
  std::atomic<std::uint64_t> writes{0};        // files written and indexed
  std::atomic<std::uint64_t> write_failures{0};
  std::atomic<std::uint64_t> dropped{0};       // store() beyond max_queued_bytes
  std::atomic<std::uint64_t> evictions{0};
  std::atomic<std::uint64_t> rejected{0};      // files refused at load (size, checksum, head)
  std::atomic<std::uint64_t> objects{0};
  std::atomic<std::uint64_t> used_bytes{0};
};

// What open() found in the directory.
struct PulledDiskScan {
  std::uint64_t objects = 0;
  std::uint64_t bytes = 0;
  std::uint64_t removed = 0;  // temp files, bad files, and those beyond the capacity
};

class PulledDisk {
 public:
  // Creates the directory if needed, locks it, scans it. An error (cannot
  // create, locked by another process) means: run without a disk store.
  static Result<std::unique_ptr<PulledDisk>> open(PulledDiskSettings settings);
  ~PulledDisk();
  PulledDisk(const PulledDisk&) = delete;
  PulledDisk& operator=(const PulledDisk&) = delete;

  // Any thread. Queues object (its body included) to be written under primary.
  void store(const std::string& primary, PulledRef object);
  // Any thread. The variant of primary the request's fields select, read and
  // verified; nullptr if none (a bad file is removed on the way). A body
  // larger than file_min (and without coded variants) stays in its file:
  // the object's `file`, opened here, its body never read into RAM.
  PulledRef load(const std::string& primary, freshness::Fields request_fields,
                 std::uint64_t file_min = UINT64_MAX);
  // Any thread. Removes the objects PulledTable::purge would (same keys).
  std::size_t purge(std::string_view primary, bool prefix);
  // Any thread. Removes every variant of exactly primary (PulledTable::invalidate).
  void invalidate(const std::string& primary);
  // Any thread. Removes the one variant of primary under secondary (its file
  // and a queued write of it): a 304 named another representation (RFC 9111
  // §4.3.4), so a restart or a miss must not load it back.
  void drop(const std::string& primary, std::string_view secondary);
  // Any thread. Whether the variant of primary under secondary is indexed
  // (no read: a slice fetched ahead is not asked of the origin when it is here).
  bool contains(const std::string& primary, std::string_view secondary);
  // Any thread. Whether the disk tier holds (or has queued) the variant of
  // primary under secondary received after response_time: another worker
  // refreshed it. No read.
  bool newer(const std::string& primary, std::string_view secondary, std::int64_t response_time);
  // Any thread. The object of primary under secondary queued for the writer
  // or being written, not yet indexed; nullptr if none. (A slice stored a
  // moment ago that the table could not keep: its reader finds it here.)
  PulledRef pending(const std::string& primary, std::string_view secondary);
  // Blocks until everything queued before the call is written (tests; the
  // destructor writes what is queued on its own).
  void flush();

  const PulledDiskScan& scan() const { return scan_; }
  const PulledDiskStats& stats() const { return stats_; }
  const std::string& dir() const { return settings_.dir; }

 private:
  struct Pending {
    std::string primary;
    PulledRef object;
  };
  PulledDisk(PulledDiskSettings settings, UniqueFd lock);
  void scan_directory();
  PulledRef read_whole(const ContentHash& key, const DiskEntry& entry, int fd, FileHead head);
  PulledRef as_file(const ContentHash& key, const DiskEntry& entry, UniqueFd fd, const struct stat& st, FileHead head);
  void remember_verified(const ContentHash& key, const DiskEntry& entry);  // takes mutex_
  void run_writer();
  void write(const Pending& item);
  std::string file_of(const ContentHash& key) const;
  void unlink_keys(const std::vector<ContentHash>& keys);  // under mutex_
  // Under mutex_: the newest object of primary queued or being written that match(object) accepts.
  template <typename Match>
  PulledRef queued(const std::string& primary, const Match& match) const;
  void unqueued(const Pending& item);  // under mutex_: item left the queue
  void publish_sizes();                                    // under mutex_

  PulledDiskSettings settings_;
  UniqueFd lock_;  // the directory, flock'ed
  PulledDiskScan scan_;
  PulledDiskStats stats_;

  std::mutex mutex_;
  std::condition_variable wake_;     // the writer: work queued, or stopping
  std::condition_variable written_;  // flush(): the queue drained
  PulledDiskIndex index_;
  std::deque<Pending> queue_;
  std::uint64_t queued_bytes_ = 0;
  std::unordered_map<std::string, std::uint32_t> queued_per_primary_;  // entries of queue_ by primary
  bool writing_ = false;             // the writer holds an item taken from the queue
  bool current_purged_ = false;      // ...and a purge matched it: its file is not indexed
  std::string current_primary_;
  PulledRef current_;                // the object being written
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace relais::pull
