// VariantCompressor: makes the coded variants of pulled identity text
// (pull_compression.h) on a thread of its own, so that brotli at the
// publisher's quality never runs on a worker's event loop.
//
// Owns one thread (started with the object, lowered in priority so serving
// wins the CPU), a queue of at most `queue_max` jobs (submit() refuses beyond:
// that object stays identity only), and the finished results. A job holds the
// body by reference (immutable, shared with the table); a job whose body
// nobody else holds any more (evicted, purged, replaced) is skipped. When a
// job ends, `notify` is called on the compressor's thread (it must be
// thread-safe: the worker's Wakeup); the loop then take()s the results and
// attaches them where the body is still stored (PullService).
// The destructor stops the thread after the job it is running (at most one
// body of pull-compress-max bytes) and drops the queue.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "edge/pull/coded_variants.h"

namespace relais::pull {

class VariantCompressor {
 public:
  struct Job {
    std::string primary;
    std::string secondary;
    MemoryRef body;
  };
  struct Done {
    std::string primary;
    std::string secondary;
    MemoryRef body;                              // the identity the variants were made of
    std::shared_ptr<const CodedVariants> coded;  // null: nothing worth keeping, or the encoder failed
  };

  VariantCompressor(std::size_t queue_max, std::function<void()> notify);
  ~VariantCompressor();
  VariantCompressor(const VariantCompressor&) = delete;
  VariantCompressor& operator=(const VariantCompressor&) = delete;

  // False when the queue is full: the job is dropped.
  [[nodiscard]] bool submit(Job job);
  // The results finished since the last call (on the loop's thread).
  std::vector<Done> take();

 private:
  void run();

  const std::size_t queue_max_;
  std::function<void()> notify_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  std::vector<Done> done_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once every member above exists
};

}  // namespace relais::pull
