#include "origin-sync/retry_policy.h"

#include <algorithm>
#include <mutex>
#include <random>
#include <thread>

namespace relais {

std::chrono::milliseconds RetryPolicy::delay_before(unsigned attempt, double unit_random) const {
  if (attempt == 0 || base_delay.count() <= 0) return std::chrono::milliseconds(0);
  // 2^(attempt-1), capped before it can overflow: beyond 2^30 the cap wins anyway.
  const unsigned shift = std::min(attempt - 1, 30u);
  const double ceiling = std::min(static_cast<double>(max_delay.count()),
                                  static_cast<double>(base_delay.count()) * static_cast<double>(1ull << shift));
  const double r = std::clamp(unit_random, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(ceiling * r));
}

double default_unit_random() {
  static std::mutex mutex;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard lock(mutex);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

bool cancellable_sleep(const std::atomic<bool>* cancel, std::chrono::milliseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  for (auto now = std::chrono::steady_clock::now(); now < until; now = std::chrono::steady_clock::now()) {
    if (cancel != nullptr && cancel->load()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(std::chrono::milliseconds(50), until - now));
  }
  return cancel == nullptr || !cancel->load();
}

Status run_with_retries(const RetryPolicy& policy, const Sleeper& sleep, const UnitRandom& random,
                        const std::function<Status(unsigned)>& attempt,
                        const std::function<void(const Error&, unsigned)>& on_retry) {
  const unsigned attempts = std::max(1u, policy.max_attempts);
  for (unsigned n = 0;; ++n) {
    Status s = attempt(n);
    if (s.ok()) return s;
    if (!s.error().retryable || n + 1 >= attempts) return s;
    if (on_retry) on_retry(s.error(), n + 1);
    if (!sleep(policy.delay_before(n + 1, random()))) return s;
  }
}

}  // namespace relais
