// OriginHealth: which origin a fetch tries next, and when one is down
// (max_fails in a row, for down_time; all down: the first anyway). The
// clock is passed in, so the down time is checked to the millisecond.
#include "edge/upstream/origin_health.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace relais::upstream {
namespace {

using namespace std::chrono_literals;
using Clock = OriginHealth::Clock;

const std::vector<std::string> kOrigins{"http://a", "http://b", "http://c"};

OriginHealth health(unsigned fails = 3, std::chrono::milliseconds down = 10s, unsigned rise = 2) {
  return OriginHealth(OriginHealthPolicy{fails, down, rise});
}

TEST(OriginHealth, FirstFetchTriesTheListInOrderEachOnce) {
  OriginHealth h = health();
  const Clock::time_point now{};
  EXPECT_EQ(h.next(kOrigins, 0b000, now), 0u);
  EXPECT_EQ(h.next(kOrigins, 0b001, now), 1u);
  EXPECT_EQ(h.next(kOrigins, 0b011, now), 2u);
  EXPECT_EQ(h.next(kOrigins, 0b111, now), std::nullopt);
  EXPECT_EQ(h.next(kOrigins, 0b101, now), 1u);  // the tried set, not a position
}

TEST(OriginHealth, DownAfterMaxFailsInARowAndSkippedForTheDownTime) {
  OriginHealth h = health(3, 10s);
  const Clock::time_point t0{};
  EXPECT_FALSE(h.failed("http://a", t0));
  EXPECT_FALSE(h.failed("http://a", t0));
  EXPECT_FALSE(h.down("http://a", t0));
  EXPECT_EQ(h.next(kOrigins, 0, t0), 0u);
  EXPECT_TRUE(h.failed("http://a", t0));
  EXPECT_TRUE(h.down("http://a", t0));
  EXPECT_EQ(h.stats().marked_down, 1u);
  EXPECT_EQ(h.down_count(t0), 1u);
  EXPECT_EQ(h.next(kOrigins, 0, t0), 1u);
  EXPECT_EQ(h.next(kOrigins, 0, t0 + 9999ms), 1u);
  EXPECT_EQ(h.next(kOrigins, 0, t0 + 10s), 0u);  // the down time is over: tried again
  EXPECT_EQ(h.down_count(t0 + 10s), 0u);
}

TEST(OriginHealth, ASuccessResetsTheCount) {
  OriginHealth h = health(2, 10s);
  const Clock::time_point t0{};
  EXPECT_FALSE(h.failed("http://a", t0));
  h.succeeded("http://a");
  EXPECT_FALSE(h.failed("http://a", t0));  // one in a row again, not two
  EXPECT_FALSE(h.down("http://a", t0));
  EXPECT_TRUE(h.failed("http://a", t0));
}

TEST(OriginHealth, OneMoreFailureAfterTheDownTimeMarksItDownAgain) {
  OriginHealth h = health(3, 1s);
  const Clock::time_point t0{};
  for (int i = 0; i < 3; ++i) (void)h.failed("http://a", t0);
  EXPECT_TRUE(h.failed("http://a", t0 + 1s));  // the probe after the down time failed
  EXPECT_TRUE(h.down("http://a", t0 + 1500ms));
  EXPECT_EQ(h.stats().marked_down, 2u);
}

TEST(OriginHealth, FailuresWhileDownExtendItWithoutCountingAgain) {
  OriginHealth h = health(1, 1s);
  const Clock::time_point t0{};
  EXPECT_TRUE(h.failed("http://a", t0));
  EXPECT_FALSE(h.failed("http://a", t0 + 500ms));  // a fetch started before it went down
  EXPECT_TRUE(h.down("http://a", t0 + 1200ms));
  EXPECT_EQ(h.stats().marked_down, 1u);
}

TEST(OriginHealth, AllDownStillTriesTheFirstOnceNeverRefuses) {
  OriginHealth h = health(1, 10s);
  const Clock::time_point t0{};
  for (const std::string& o : kOrigins) (void)h.failed(o, t0);
  EXPECT_EQ(h.down_count(t0), 3u);
  EXPECT_EQ(h.next(kOrigins, 0, t0), 0u);
  EXPECT_EQ(h.next(kOrigins, 0b001, t0), std::nullopt);  // and no chain through the others
}

TEST(OriginHealth, ADownOriginIsSkippedWhereverItStands) {
  OriginHealth h = health(1, 10s);
  const Clock::time_point t0{};
  (void)h.failed("http://b", t0);
  EXPECT_EQ(h.next(kOrigins, 0, t0), 0u);
  EXPECT_EQ(h.next(kOrigins, 0b001, t0), 2u);
  EXPECT_EQ(h.next(kOrigins, 0b101, t0), std::nullopt);
}

TEST(OriginHealth, SharedByURLAcrossLists) {
  // Two sites naming one origin see one health state (the table is the worker's).
  OriginHealth h = health(1, 10s);
  const Clock::time_point t0{};
  (void)h.failed("http://a", t0);
  const std::vector<std::string> other{"http://a", "http://z"};
  EXPECT_EQ(h.next(other, 0, t0), 1u);
}

TEST(OriginHealth, SingleOriginIsAlwaysTried) {
  OriginHealth h = health(1, 10s);
  const std::vector<std::string> one{"http://a"};
  (void)h.failed("http://a", {});
  EXPECT_EQ(h.next(one, 0, {}), 0u);
  EXPECT_EQ(h.next(one, 1, {}), std::nullopt);
}

// Active health (origin_prober.h): one failed probe marks it down, `rise`
// passes in a row bring it back; the passive state is kept apart.
TEST(OriginHealthProbes, OneFailedProbeMarksDownUntilRisePassesInARow) {
  OriginHealth h = health(3, 10s, 2);
  const Clock::time_point t0{};
  EXPECT_EQ(h.probe_passed("http://a"), ProbeTransition::none);  // up already
  EXPECT_EQ(h.probe_failed("http://a"), ProbeTransition::went_down);
  EXPECT_TRUE(h.down("http://a", t0 + 1h));  // no down time: until the probes say so
  EXPECT_EQ(h.next(kOrigins, 0, t0), 1u);
  EXPECT_EQ(h.stats().marked_down, 1u);
  EXPECT_EQ(h.probe_failed("http://a"), ProbeTransition::none);  // still down: no new event
  EXPECT_EQ(h.stats().marked_down, 1u);
  EXPECT_EQ(h.probe_passed("http://a"), ProbeTransition::none);
  EXPECT_TRUE(h.down("http://a", t0));
  EXPECT_EQ(h.probe_failed("http://a"), ProbeTransition::none);  // the passes must be in a row
  EXPECT_EQ(h.probe_passed("http://a"), ProbeTransition::none);
  EXPECT_EQ(h.probe_passed("http://a"), ProbeTransition::came_up);
  EXPECT_FALSE(h.down("http://a", t0));
  EXPECT_EQ(h.next(kOrigins, 0, t0), 0u);
}

TEST(OriginHealthProbes, AClientSuccessDoesNotClearAFailedProbe) {
  OriginHealth h = health(3, 10s, 1);
  const Clock::time_point t0{};
  (void)h.probe_failed("http://a");
  h.succeeded("http://a");  // every origin down: the first was tried anyway, and answered
  EXPECT_TRUE(h.down("http://a", t0));
  EXPECT_EQ(h.probe_passed("http://a"), ProbeTransition::came_up);
  EXPECT_FALSE(h.down("http://a", t0));
}

TEST(OriginHealthProbes, PassiveDownTimeStillAppliesBesideProbes) {
  OriginHealth h = health(1, 10s, 1);
  const Clock::time_point t0{};
  EXPECT_TRUE(h.failed("http://a", t0));
  EXPECT_EQ(h.probe_passed("http://a"), ProbeTransition::none);  // the probe had not marked it
  EXPECT_TRUE(h.down("http://a", t0 + 5s));
  EXPECT_FALSE(h.down("http://a", t0 + 10s));
  (void)h.probe_failed("http://b");
  EXPECT_EQ(h.down_count(t0), 2u);
  EXPECT_EQ(h.next(kOrigins, 0, t0), 2u);
  (void)h.probe_failed("http://c");
  EXPECT_EQ(h.next(kOrigins, 0, t0), 0u);  // every origin down: the first anyway
}

}  // namespace
}  // namespace relais::upstream
