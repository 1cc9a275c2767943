// Gate: a scripted origin's handler waits at it (at most 10 s) until the test
// opens it, so a test can hold an origin's answer until every client waits on
// the fetch, without sleeping.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace relais::testing {

class Gate {
 public:
  void wait() {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::seconds(10), [this] { return open_; });
  }
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

}  // namespace relais::testing
