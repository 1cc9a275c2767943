// RFC 9211 (the Cache-Status field). Table of sections: docs/PULL_THROUGH.md.
#include "edge/cache/freshness/cache_status.h"

#include <gtest/gtest.h>

#include <string>

namespace relais::freshness {
namespace {

std::string format(const CacheStatus& s) {
  char buf[kMaxCacheStatusBytes];
  return std::string(buf, format_cache_status(s, buf));
}

// RFC 9211 §2.1 / §2.4: a hit with its ttl.
TEST(CacheStatus_9211_S2_1, HitWithTtl) {
  CacheStatus s;
  s.ttl = 120;
  EXPECT_EQ(format(s), "relais; hit; ttl=120");
}

// RFC 9211 §2.2 / §2.5: a miss forwarded and stored.
TEST(CacheStatus_9211_S2_2, UriMissStored) {
  CacheStatus s;
  s.fwd = Forward::uri_miss;
  s.fwd_status = 200;
  s.stored = true;
  EXPECT_EQ(format(s), "relais; fwd=uri-miss; fwd-status=200; stored");
}

// RFC 9211 §2.2 / §2.3: a stale object revalidated with a 304.
TEST(CacheStatus_9211_S2_2, StaleRevalidated) {
  CacheStatus s;
  s.fwd = Forward::stale;
  s.fwd_status = 304;
  s.ttl = 600;
  EXPECT_EQ(format(s), "relais; fwd=stale; fwd-status=304; ttl=600");
}

// RFC 9211 §2.6 / §2.8: collapsed into another request's fetch; a stale hit with negative ttl and detail.
TEST(CacheStatus_9211_S2_6, CollapsedAndStaleDetail) {
  CacheStatus c;
  c.fwd = Forward::miss;
  c.collapsed = true;
  EXPECT_EQ(format(c), "relais; fwd=miss; collapsed");
  CacheStatus stale;
  stale.ttl = -30;
  stale.detail = "stale-if-error";
  EXPECT_EQ(format(stale), "relais; hit; ttl=-30; detail=stale-if-error");
}

// RFC 9211 §2 / RFC 8941 §3.3.4: a cache name that is no token is written as a string.
TEST(CacheStatus_9211_S2, NonTokenNameIsQuoted) {
  CacheStatus s;
  s.cache = "edge \"7\"";
  EXPECT_EQ(format(s), "\"edge \\\"7\\\"\"; hit");
}

}  // namespace
}  // namespace relais::freshness
