// RFC 9111 §4.2 (fresh), §4.2.4 (serving stale), §5.2.1 (request
// directives), §5.2.2.2 / §5.2.2.4 / §5.2.2.8 / §5.2.2.10, RFC 5861 §3 and §4.
// Table of sections: docs/PULL_THROUGH.md.
#include "edge/cache/freshness/reuse.h"

#include <gtest/gtest.h>

#include "tests/unit/cache/freshness/message.h"

namespace relais::freshness {
namespace {

using testing::facts;
using testing::http_date;
using testing::kNow;
using testing::Message;

StoredResponse stored(const Message& m) {
  return {facts(200, m), {kNow, kNow}};
}

CacheDirectives request(std::string_view cache_control) {
  CacheDirectives d;
  parse_cache_control(cache_control, d);
  return d;
}

ReusePolicy grace(std::int64_t seconds) {
  ReusePolicy p;
  p.error_grace = seconds;
  return p;
}

Reuse action(const Message& m, std::int64_t later, std::string_view req = "", const ReusePolicy& p = {}) {
  return decide_reuse(stored(m), request(req), kNow + later, p).action;
}

// §4.2: fresh while lifetime > age; at lifetime == age it is stale.
TEST(Reuse_9111_S4_2, FreshUntilAgeReachesLifetime) {
  Message m{{"Date", http_date(kNow)}, {"Cache-Control", "max-age=60"}};
  EXPECT_EQ(action(m, 59), Reuse::fresh);
  EXPECT_EQ(action(m, 60), Reuse::revalidate);
}

// RFC 9211 ttl: lifetime minus age, negative once stale.
TEST(Reuse_9211_S2_4, TtlGoesNegativeWhenStale) {
  Message m{{"Date", http_date(kNow)}, {"Cache-Control", "max-age=60"}};
  EXPECT_EQ(decide_reuse(stored(m), {}, kNow + 10, {}).ttl, 50);
  EXPECT_EQ(decide_reuse(stored(m), {}, kNow + 70, {}).ttl, -10);
}

// §5.2.2.4: no-cache: revalidated even when fresh.
TEST(Reuse_9111_S5_2_2_4, NoCacheAlwaysRevalidates) {
  Message m{{"Cache-Control", "no-cache, max-age=600"}};
  EXPECT_EQ(action(m, 1), Reuse::revalidate);
}

// RFC 5861 §3: stale within stale-while-revalidate: served, refreshed in the background.
TEST(Reuse_5861_S3, StaleWhileRevalidateWindow) {
  Message m{{"Cache-Control", "max-age=60, stale-while-revalidate=30"}};
  EXPECT_EQ(action(m, 70), Reuse::stale_while_revalidate);
  EXPECT_EQ(action(m, 90), Reuse::stale_while_revalidate);
  EXPECT_EQ(action(m, 91), Reuse::revalidate);
}

// §4.2.4 / §5.2.2.2: must-revalidate forbids serving stale, even within stale-while-revalidate.
TEST(Reuse_9111_S5_2_2_2, MustRevalidateForbidsStale) {
  Message m{{"Cache-Control", "max-age=60, stale-while-revalidate=30, must-revalidate"}};
  EXPECT_EQ(action(m, 61), Reuse::revalidate);
  EXPECT_EQ(action(m, 61, "max-stale"), Reuse::revalidate);
}

// §5.2.2.8: proxy-revalidate binds a shared cache like must-revalidate.
TEST(Reuse_9111_S5_2_2_8, ProxyRevalidateForbidsStale) {
  Message m{{"Cache-Control", "max-age=60, proxy-revalidate"}};
  EXPECT_EQ(action(m, 61, "max-stale=100"), Reuse::revalidate);
}

// §5.2.2.10: s-maxage implies proxy-revalidate.
TEST(Reuse_9111_S5_2_2_10, SMaxageImpliesProxyRevalidate) {
  Message m{{"Cache-Control", "s-maxage=60, stale-while-revalidate=30"}};
  EXPECT_EQ(action(m, 61), Reuse::revalidate);
}

// §5.2.1.2: request max-stale lets a stale response be served (honoured: it saves origin traffic).
TEST(Reuse_9111_S5_2_1_2, MaxStaleAllowsStale) {
  Message m{{"Cache-Control", "max-age=60"}};
  EXPECT_EQ(action(m, 100, "max-stale=50"), Reuse::stale_allowed);
  EXPECT_EQ(action(m, 100, "max-stale=30"), Reuse::revalidate);
  EXPECT_EQ(action(m, 100000, "max-stale"), Reuse::stale_allowed);
}

// §5.2.1.7: only-if-cached with nothing usable: 504, never the origin.
TEST(Reuse_9111_S5_2_1_7, OnlyIfCachedGivesGatewayTimeout) {
  Message m{{"Cache-Control", "max-age=60"}};
  EXPECT_EQ(action(m, 10, "only-if-cached"), Reuse::fresh);
  EXPECT_EQ(action(m, 100, "only-if-cached"), Reuse::gateway_timeout);
}

// §5.2.1: request no-cache is advisory; ignored by default (origin shield)...
TEST(Reuse_9111_S5_2_1_4, RequestNoCacheIgnoredByDefault) {
  Message m{{"Cache-Control", "max-age=60"}};
  EXPECT_EQ(action(m, 10, "no-cache"), Reuse::fresh);
  EXPECT_EQ(action(m, 10, "max-age=0"), Reuse::fresh);
}

// §5.2.1.4 / §5.2.1.1 / §5.2.1.3: ...and honoured when the policy says so.
TEST(Reuse_9111_S5_2_1, RequestRevalidationHonouredByPolicy) {
  Message m{{"Cache-Control", "max-age=60"}};
  ReusePolicy honour;
  honour.honour_client_revalidation = true;
  EXPECT_EQ(action(m, 10, "no-cache", honour), Reuse::revalidate);
  EXPECT_EQ(action(m, 10, "max-age=5", honour), Reuse::revalidate);
  EXPECT_EQ(action(m, 10, "max-age=20", honour), Reuse::fresh);
  EXPECT_EQ(action(m, 10, "min-fresh=55", honour), Reuse::revalidate);
  EXPECT_EQ(action(m, 10, "min-fresh=40", honour), Reuse::fresh);
}

// RFC 5861 §4: the origin's stale-if-error lets a stale response answer an origin failure.
TEST(Reuse_5861_S4, StaleIfErrorWindow) {
  Message m{{"Cache-Control", "max-age=60, stale-if-error=100"}};
  EXPECT_TRUE(may_serve_stale_on_error(stored(m), {}, kNow + 160));
  EXPECT_FALSE(may_serve_stale_on_error(stored(m), {}, kNow + 161));
}

// RFC 5861 §4 on the request side, and the operator's grace.
TEST(Reuse_5861_S4, RequestStaleIfErrorAndGrace) {
  Message m{{"Cache-Control", "max-age=60"}};
  EXPECT_FALSE(may_serve_stale_on_error(stored(m), {}, kNow + 70));
  EXPECT_TRUE(may_serve_stale_on_error(stored(m), request("stale-if-error=20"), kNow + 70));
  EXPECT_TRUE(may_serve_stale_on_error(stored(m), {}, kNow + 70, grace(3600)));
}

// §4.2.4: must-revalidate forbids stale on error (504 instead), unless the origin sent stale-if-error.
TEST(Reuse_9111_S4_2_4, MustRevalidateForbidsGraceButNotOriginStaleIfError) {
  Message strict{{"Cache-Control", "max-age=60, must-revalidate"}};
  EXPECT_FALSE(may_serve_stale_on_error(stored(strict), {}, kNow + 70, grace(3600)));
  Message allowed{{"Cache-Control", "max-age=60, must-revalidate, stale-if-error=60"}};
  EXPECT_TRUE(may_serve_stale_on_error(stored(allowed), {}, kNow + 70));
}

// §5.2.2.4: a no-cache response that cannot be validated is not served, even when "fresh".
TEST(Reuse_9111_S5_2_2_4, NoCacheNotServedOnError) {
  Message m{{"Cache-Control", "no-cache, max-age=600"}};
  EXPECT_FALSE(may_serve_stale_on_error(stored(m), {}, kNow + 1, grace(3600)));
}

// §4.2.4: a response with an invalid max-age is stale at once, but still served within grace.
TEST(Reuse_9111_S4_2_4, InvalidFreshnessIsStaleButUsableOnError) {
  Message m{{"Cache-Control", "max-age=soon"}};
  EXPECT_EQ(action(m, 0), Reuse::revalidate);
  EXPECT_TRUE(may_serve_stale_on_error(stored(m), {}, kNow + 5, grace(60)));
}

// §4.2: at age == lifetime a response is stale (fresh only while lifetime >
// age), so without stale-if-error or grace an origin failure is not answered
// with it. Regression: a max-age=0 response was served stale on error within
// the second it was stored (found end to end, edge_pull_test.cc).
TEST(Reuse_9111_S4_2_4, ExpiredThisSecondIsNotServedOnErrorWithoutPermission) {
  Message zero{{"Cache-Control", "max-age=0"}};
  EXPECT_FALSE(may_serve_stale_on_error(stored(zero), {}, kNow));
  Message sixty{{"Cache-Control", "max-age=60"}};
  EXPECT_FALSE(may_serve_stale_on_error(stored(sixty), {}, kNow + 60));
  EXPECT_TRUE(may_serve_stale_on_error(stored(sixty), {}, kNow + 59));  // still fresh
  EXPECT_TRUE(may_serve_stale_on_error(stored(sixty), {}, kNow + 60, grace(1)));
}

}  // namespace
}  // namespace relais::freshness
