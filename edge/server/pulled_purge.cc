#include "edge/server/pulled_purge.h"

#include <condition_variable>
#include <mutex>
#include <string>

#include "edge/server/worker.h"

namespace relais {

std::size_t purge_pulled(const std::vector<std::unique_ptr<Worker>>& workers, std::uint16_t site, std::string_view path,
                         std::chrono::milliseconds deadline) {
  // Shared with the workers' callbacks: one may come after the deadline.
  struct Tally {
    std::mutex mutex;
    std::condition_variable cv;
    std::size_t waiting = 0;
    std::size_t removed = 0;
  };
  auto tally = std::make_shared<Tally>();
  tally->waiting = workers.size();
  for (const std::unique_ptr<Worker>& w : workers) {
    w->request_pull_purge(site, std::string(path), [tally](std::size_t removed) {
      std::lock_guard lock(tally->mutex);
      tally->removed += removed;
      if (--tally->waiting == 0) tally->cv.notify_all();
    });
  }
  std::unique_lock lock(tally->mutex);
  tally->cv.wait_for(lock, deadline, [&] { return tally->waiting == 0; });
  return tally->removed;
}

}  // namespace relais
