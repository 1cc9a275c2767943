#include "edge/proto/h2/abuse_budget.h"

#include <gtest/gtest.h>

namespace relais::h2 {
namespace {

TEST(AbuseBudget, ResetsBeyondTheBoundInOneWindowAreRefused) {
  AbuseBudget b(3, 100, 10'000);
  std::uint64_t now = 1'000'000;
  EXPECT_TRUE(b.reset(now));
  EXPECT_TRUE(b.reset(now + 1));
  EXPECT_TRUE(b.reset(now + 2));
  EXPECT_FALSE(b.reset(now + 3));
}

TEST(AbuseBudget, ANewWindowStartsAfresh) {
  AbuseBudget b(1, 100, 10'000);
  std::uint64_t now = 1'000'000;
  EXPECT_TRUE(b.reset(now));
  EXPECT_FALSE(b.reset(now + 9'999));
  EXPECT_TRUE(b.reset(now + 10'000));
}

TEST(AbuseBudget, DataFramesSentEarnControlFrames) {
  AbuseBudget b(10, 2, 10'000);
  std::uint64_t now = 1'000'000;
  EXPECT_TRUE(b.control_frame(now));
  EXPECT_TRUE(b.control_frame(now));
  EXPECT_FALSE(b.control_frame(now));  // a PING flood
  AbuseBudget reader(10, 2, 10'000);
  for (int i = 0; i < 100; ++i) reader.data_frame_sent(now);
  for (int i = 0; i < 102; ++i) EXPECT_TRUE(reader.control_frame(now)) << "a client reading a large body answers each DATA frame";
}

// A legal reader answers each DATA frame with a stream and a connection
// WINDOW_UPDATE: after 1000 frames (16 MB) it was cut by GOAWAY(ENHANCE_YOUR_CALM).
TEST(AbuseBudget, TwoWindowUpdatesPerDataFrameAreWithinTheBudget) {
  AbuseBudget b(10, 2, 10'000);
  const std::uint64_t now = 1'000'000;
  for (int i = 0; i < 5000; ++i) {
    b.data_frame_sent(now);
    ASSERT_TRUE(b.control_frame(now)) << "stream WINDOW_UPDATE after DATA frame " << i;
    ASSERT_TRUE(b.control_frame(now)) << "connection WINDOW_UPDATE after DATA frame " << i;
  }
  EXPECT_TRUE(b.control_frame(now));
  EXPECT_TRUE(b.control_frame(now));
  EXPECT_FALSE(b.control_frame(now)) << "beyond two per DATA frame plus the bound: a flood";
}

}  // namespace
}  // namespace relais::h2
