// RehashLoop: the edge's background re-hashing of its blobs (--rehash-rate).
//
// Owns one thread that drives BlobRehasher (edge/storage/blob_rehasher.h) at
// a bounded rate: each slice of at most kSliceBytes is paid for with
// slice/rate seconds of waiting, so the disk and CPU it takes stay at
// --rehash-rate bytes per second for the whole edge, and a pass over a tiny
// store is repeated at most once per --rehash-interval.
//
// Why a thread and not chunked work on the workers' loops: the reads are of
// cold blobs (what is hot is in RAM or already verified), and a pread() that
// waits for the disk blocks the loop it runs on, i.e. every connection of a
// worker; docs/ARCHITECTURE.md keeps disk I/O off the hot path. One thread per edge
// also hashes each blob once per pass, not once per worker. It runs at the
// lowest CPU priority (nice 19) and in the idle I/O class, so it yields the
// core and the disk to the workers under load. It shares nothing with the
// workers but the quarantine (blob_quarantine.h) and the files themselves.
//
// Lifecycle: start() from EdgeServer::run() when the rate is not 0, stop()
// (also from the destructor) returns within one slice.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "edge/server/background_thread.h"
#include "edge/storage/blob_quarantine.h"
#include "edge/storage/blob_rehasher.h"

namespace relais {

class RehashLoop {
 public:
  static constexpr std::uint64_t kSliceBytes = 1 << 20;  // one read and hash between two waits

  // bytes_per_second > 0.
  // A pass starts at most once per min_pass (--rehash-interval).
  RehashLoop(std::string store, std::uint64_t bytes_per_second, std::chrono::milliseconds min_pass,
             BlobQuarantine& quarantine, RehashStats& stats);
  ~RehashLoop() { stop(); }
  RehashLoop(const RehashLoop&) = delete;
  RehashLoop& operator=(const RehashLoop&) = delete;

  void start();
  void stop();

 private:
  void run();

  BlobRehasher rehasher_;
  const std::uint64_t rate_;
  const std::chrono::milliseconds min_pass_;
  BackgroundThread thread_;  // last: stopped (and joined) before the rest goes
};

}  // namespace relais
