// Synthetic traces: deterministic, bounded, and shaped as documented.
#include <gtest/gtest.h>

#include <vector>

#include "bench/sim/mixed_trace.h"
#include "bench/sim/monday_trace.h"
#include "bench/sim/simulator.h"
#include "bench/sim/zipf_sampler.h"

namespace relais::sim {
namespace {

TEST(Rng, IsDeterministicForASeed) {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    std::uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    EXPECT_NE(x, c.next());
  }
  Rng r(1);
  for (int i = 0; i < 1000; ++i) {
    double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    ASSERT_LT(r.below(7), 7u);
  }
}

TEST(ZipfSampler, RankZeroIsTheMostPopular) {
  Rng rng(9);
  ZipfSampler zipf(1000, 1.0);
  std::vector<int> count(1000, 0);
  for (int i = 0; i < 100000; ++i) ++count[zipf.draw(rng)];
  EXPECT_GT(count[0], count[1]);
  EXPECT_GT(count[1], count[10]);
  // P(rank 0) = 1 / H(1000) ~ 0.134 for alpha 1.
  EXPECT_NEAR(count[0] / 100000.0, 0.1336, 0.01);
}

TEST(MixedTrace, IsDeterministicAndHasScansAndCrawls) {
  MixedTraceParams p;
  p.requests = 200000;
  p.catalog_objects = 10000;
  p.scan_objects = 2000;
  Trace a = make_mixed_trace(p), b = make_mixed_trace(p);
  EXPECT_EQ(a.requests, b.requests);
  EXPECT_EQ(a.object_bytes, b.object_bytes);
  ASSERT_EQ(a.requests.size(), 200000u);
  // Every one-hit-wonder key is new: catalog + scans x scan_objects objects.
  EXPECT_EQ(a.objects(), 10000u + 10u * 2000u);
  TraceProfile prof = profile(a, TierModel{});
  EXPECT_EQ(prof.bypass_requests, 0u);
  EXPECT_GE(prof.one_hit_objects, 20000u);
  p.alpha = 1.2;
  EXPECT_NE(make_mixed_trace(p).requests, a.requests);
}

TEST(MondayTrace, IsDeterministicAndSendsLargeVideosAroundTheTier) {
  MondayTraceParams p;
  p.requests = 100000;
  p.archives = 20000;
  Trace a = make_monday_trace(p), b = make_monday_trace(p);
  EXPECT_EQ(a.requests, b.requests);
  ASSERT_EQ(a.requests.size(), 100000u);
  TraceProfile prof = profile(a, TierModel{});
  // 20 % are video ranges, 80 % of videos are above 4 MiB (plus a few archives).
  double bypass = static_cast<double>(prof.bypass_requests) / 100000.0;
  EXPECT_GT(bypass, 0.08);
  EXPECT_LT(bypass, 0.25);
}

}  // namespace
}  // namespace relais::sim
