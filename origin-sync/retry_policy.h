// RetryPolicy: how often and how patiently a failed origin fetch is retried.
//
// Exponential backoff with full jitter (the AWS architecture-blog scheme):
// attempt n waits a uniform random time in [0, min(max_delay, base * 2^n)].
// The jitter spreads the retries of a thousand edges that lost the origin at
// the same second, so that the origin is not hit by synchronised waves when
// it comes back. Attempts are bounded: a fetch gives up after max_attempts
// and the sync fails, leaving the previous catalog in service.
//
// The clock is passed in: delay_before() is a pure function of the attempt
// number and a random draw, and run_with_retries() sleeps through an injected
// Sleeper, so tests check the schedule exactly without waiting.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

#include "origin-sync/result.h"

namespace relais {

struct RetryPolicy {
  unsigned max_attempts = 5;                              // first try included
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{10'000};

  // A policy that never retries: the behaviour of a bare pull_into_store().
  static RetryPolicy none() { return {1, std::chrono::milliseconds(0), std::chrono::milliseconds(0)}; }

  // Wait before attempt `attempt` (1-based: attempt 1 is the first retry).
  // `unit_random` is a draw in [0, 1).
  std::chrono::milliseconds delay_before(unsigned attempt, double unit_random) const;
};

// Sleeps for a duration, or returns false at once when the sync is being
// cancelled (the edge stopping): a retry wait must never delay shutdown.
using Sleeper = std::function<bool(std::chrono::milliseconds)>;
// Uniform draw in [0, 1).
using UnitRandom = std::function<double()>;

// A real sleep that returns false as soon as *cancel turns true (checked
// every 50 ms: the edge's stop must not wait out a 10 s backoff).
bool cancellable_sleep(const std::atomic<bool>* cancel, std::chrono::milliseconds d);

// A process-wide default random source (thread-safe).
double default_unit_random();

// Calls attempt(n) (n = 0, 1, ...) until it succeeds, fails with a
// non-retryable error, attempts run out, or sleep() refuses to wait.
// on_retry, if set, is told of each failure that will be retried.
Status run_with_retries(const RetryPolicy& policy, const Sleeper& sleep, const UnitRandom& random,
                        const std::function<Status(unsigned)>& attempt,
                        const std::function<void(const Error&, unsigned)>& on_retry = {});

}  // namespace relais
