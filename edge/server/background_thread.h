// BackgroundThread: one thread of the edge that does periodic work off the
// serving loops (the origin sync, the blob re-hash), and the stop protocol
// they share.
//
// Owns the thread, a stop flag and the condition variable its waits sleep
// on. start() runs the body once; the body loops while wait_until()/
// wait_for() return true, and those return false as soon as stop() is
// called. stop() (also from the destructor) sets the flag, wakes the wait
// and joins: it returns once the body's current step has finished. The flag
// is an atomic so that long steps can poll it too (SyncSettings::cancel).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace relais {

class BackgroundThread {
 public:
  BackgroundThread() = default;
  ~BackgroundThread() { stop(); }
  BackgroundThread(const BackgroundThread&) = delete;
  BackgroundThread& operator=(const BackgroundThread&) = delete;

  void start(std::function<void()> body);
  void stop();

  // Sleep until the deadline or stop(); false once stopping.
  bool wait_until(std::chrono::steady_clock::time_point deadline);
  bool wait_for(std::chrono::steady_clock::duration delay) {
    return wait_until(std::chrono::steady_clock::now() + delay);
  }
  const std::atomic<bool>& stopping() const { return stopping_; }

 private:
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace relais
