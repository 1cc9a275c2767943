#include "edge/server/background_thread.h"

#include "origin-sync/assert.h"

namespace relais {

void BackgroundThread::start(std::function<void()> body) {
  RELAIS_ASSERT(!thread_.joinable());
  thread_ = std::thread(std::move(body));
}

void BackgroundThread::stop() {
  {
    // Set under the lock: a waiter between its check and its sleep cannot
    // miss the notification.
    std::lock_guard lock(mutex_);
    stopping_.store(true);
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool BackgroundThread::wait_until(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_until(lock, deadline, [this] { return stopping_.load(); });
}

}  // namespace relais
