#include "origin-sync/retry_policy.h"

#include <gtest/gtest.h>

#include <vector>

namespace relais {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicy, DelayDoublesFromTheBaseAndIsCapped) {
  RetryPolicy p{10, milliseconds(100), milliseconds(1000)};
  EXPECT_EQ(p.delay_before(0, 0.99), milliseconds(0));
  EXPECT_EQ(p.delay_before(1, 0.5), milliseconds(50));
  EXPECT_EQ(p.delay_before(2, 0.5), milliseconds(100));
  EXPECT_EQ(p.delay_before(3, 0.5), milliseconds(200));
  EXPECT_EQ(p.delay_before(5, 0.5), milliseconds(500));    // 1600 capped at 1000
  EXPECT_EQ(p.delay_before(200, 0.5), milliseconds(500));  // no overflow however many attempts
}

TEST(RetryPolicy, FullJitterSpansZeroToTheCeiling) {
  RetryPolicy p{10, milliseconds(100), milliseconds(1000)};
  EXPECT_EQ(p.delay_before(3, 0.0), milliseconds(0));
  EXPECT_EQ(p.delay_before(3, 0.999), milliseconds(399));
  EXPECT_EQ(p.delay_before(3, 7.0), milliseconds(400));  // a bad draw is clamped
}

TEST(RetryPolicy, RetriesARetryableErrorUpToMaxAttemptsWithTheScheduledWaits) {
  RetryPolicy p{4, milliseconds(100), milliseconds(10'000)};
  std::vector<milliseconds> waits;
  int calls = 0;
  Status s = run_with_retries(
      p, [&](milliseconds d) { waits.push_back(d); return true; }, [] { return 0.5; },
      [&](unsigned) -> Status { ++calls; return Error::origin("HTTP 500", true); });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(waits, (std::vector<milliseconds>{milliseconds(50), milliseconds(100), milliseconds(200)}));
}

TEST(RetryPolicy, StopsAtTheFirstSuccess) {
  int calls = 0;
  Status s = run_with_retries(
      RetryPolicy{}, [](milliseconds) { return true; }, [] { return 0.0; },
      [&](unsigned n) -> Status { ++calls; return n < 2 ? Status(Error::origin("reset")) : Status(); });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(calls, 3);
}

TEST(RetryPolicy, DoesNotRetryANonRetryableError) {
  int calls = 0;
  Status s = run_with_retries(
      RetryPolicy{}, [](milliseconds) { return true; }, [] { return 0.0; },
      [&](unsigned) -> Status { ++calls; return Error::origin("HTTP 404", false); });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(calls, 1);
}

TEST(RetryPolicy, ACancelledWaitEndsTheRetries) {
  int calls = 0;
  Status s = run_with_retries(
      RetryPolicy{}, [](milliseconds) { return false; }, [] { return 0.0; },
      [&](unsigned) -> Status { ++calls; return Error::origin("timeout"); });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(calls, 1);
}

TEST(RetryPolicy, CancellableSleepReturnsAtOnceWhenCancelled) {
  std::atomic<bool> cancel{true};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(cancellable_sleep(&cancel, std::chrono::seconds(30)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace relais
