#include "edge/server/rehash_loop.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "origin-sync/assert.h"

namespace relais {

namespace {
// Best effort: without the permission or the syscall the rate still bounds it.
void lower_own_priority() {
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  (void)::setpriority(PRIO_PROCESS, tid, 19);  // per thread on Linux
#ifdef SYS_ioprio_set
  constexpr int kWhoProcess = 1;             // IOPRIO_WHO_PROCESS: a thread id
  constexpr int kClassIdle = 3 << 13;        // IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT
  (void)::syscall(SYS_ioprio_set, kWhoProcess, tid, kClassIdle);
#endif
}

void log_line(std::string_view line) {
  std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
}
}  // namespace

RehashLoop::RehashLoop(std::string store, std::uint64_t bytes_per_second, std::chrono::milliseconds min_pass,
                       BlobQuarantine& quarantine, RehashStats& stats)
    : rehasher_(store, quarantine, stats, log_line, BlobOwners::of_store(store)),
      rate_(bytes_per_second),
      min_pass_(min_pass) {
  RELAIS_ASSERT(rate_ > 0);
  stats.enabled.store(true);
}

void RehashLoop::start() {
  thread_.start([this] { run(); });
}

void RehashLoop::stop() { thread_.stop(); }

void RehashLoop::run() {
  using Clock = std::chrono::steady_clock;
  lower_own_priority();
  const std::uint64_t slice = std::min(kSliceBytes, rate_);
  Clock::time_point pass_started = Clock::now();
  Clock::time_point next = pass_started;
  while (thread_.wait_until(next)) {
    RehashStep done = rehasher_.step(slice);
    // Pay for what was read: at most rate_ bytes per second, no burst (time
    // spent waiting for the disk earns no credit).
    next = std::max(next, Clock::now()) + std::chrono::microseconds(done.bytes * 1'000'000 / rate_);
    if (done.pass_finished) {
      next = std::max(next, pass_started + min_pass_);
      pass_started = next;
    }
  }
}

}  // namespace relais
