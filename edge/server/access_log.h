// AccessLog: one line per request, written by its own thread.
//
// Workers append lines to a private buffer (no lock, no syscall on the hit
// path) and hand full buffers over here about once a second; this thread
// writes them. Reopen (SIGUSR1 or SIGHUP, after logrotate) happens on this
// thread too.
// Bounded: if the disk cannot keep up, buffers beyond kMaxQueuedBytes are
// dropped and counted rather than growing memory without limit.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "origin-sync/result.h"
#include "origin-sync/unique_fd.h"

namespace relais {

class AccessLog {
 public:
  static constexpr std::size_t kMaxQueuedBytes = 64ull << 20;

  // target: a file name (appended to) or "-" for stdout.
  static Result<std::unique_ptr<AccessLog>> open(const std::string& target);
  ~AccessLog();

  void submit(std::string&& lines);
  // Reopens the file (after logrotate moved it), or opens another one when
  // target is given (a reload changed --access-log). A failure is one line
  // on stderr and the old file stays.
  void request_reopen(const std::string& target = {});
  std::uint64_t dropped_bytes() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  explicit AccessLog(std::string target, UniqueFd fd);
  void run();
  void reopen(const std::string& target);

  std::string target_;
  UniqueFd fd_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool stop_ = false;
  bool reopen_ = false;
  std::atomic<std::uint64_t> dropped_{0};
  std::thread thread_;
};

}  // namespace relais
