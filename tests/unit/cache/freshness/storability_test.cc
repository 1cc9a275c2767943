// RFC 9111 §3 (storing responses), §3.1 (fields not stored), §3.5
// (Authorization), §5.2.2.3 (must-understand), §5.2.2.5 (no-store),
// §5.2.2.7 (private), RFC 9110 §15.1 (cacheable by default), and our
// Set-Cookie choice. See docs/PULL_THROUGH.md for the table of sections.
#include "edge/cache/freshness/storability.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/cache/freshness/message.h"

namespace relais::freshness {
namespace {

using testing::facts;
using testing::Message;

StoreDecision decide(int status, const Message& m, std::string_view method = "GET", bool authorization = false) {
  RequestFacts request{method, authorization, {}};
  return decide_storage(request, facts(status, m), m.fields());
}

bool strips(const StoreDecision& d, std::string_view name) {
  return std::find(d.strip.begin(), d.strip.end(), name) != d.strip.end();
}

// §3: a 200 with max-age is stored.
TEST(Storage_9111_S3, StoresGetWithMaxAge) {
  Message m{{"Cache-Control", "max-age=60"}};
  EXPECT_EQ(decide(200, m).verdict, StoreVerdict::store);
}

// §3 first bullet: the method must be cacheable and understood; we store GET only.
TEST(Storage_9111_S3, RefusesPostAndHead) {
  Message m{{"Cache-Control", "max-age=60"}};
  EXPECT_EQ(decide(200, m, "POST").verdict, StoreVerdict::method);
  EXPECT_EQ(decide(200, m, "HEAD").verdict, StoreVerdict::method);
  EXPECT_EQ(decide(200, m, "get").verdict, StoreVerdict::method);  // RFC 9110 §9.1: case-sensitive
}

// §3: the status must be final; 206 needs partial storage (not ours yet); 304 is no full response.
TEST(Storage_9111_S3, RefusesInterimPartialAndNotModified) {
  Message m{{"Cache-Control", "max-age=60"}};
  EXPECT_EQ(decide(103, m).verdict, StoreVerdict::status);
  EXPECT_EQ(decide(206, m).verdict, StoreVerdict::status);
  EXPECT_EQ(decide(304, m).verdict, StoreVerdict::status);
}

// RFC 9110 §15.1: heuristically cacheable statuses are stored without any freshness field.
TEST(Storage_9111_S3, StoresCacheableByDefaultStatusesWithoutDirectives) {
  Message m{{"Content-Type", "text/html"}};
  for (int s : {200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501}) {
    EXPECT_EQ(decide(s, m).verdict, StoreVerdict::store) << s;
  }
}

// §3 last bullet: other statuses need explicit freshness or public.
TEST(Storage_9111_S3, RefusesOtherStatusesWithoutExplicitFreshness) {
  Message m{{"Content-Type", "text/html"}};
  for (int s : {302, 303, 307, 400, 403, 500, 502, 503}) {
    EXPECT_EQ(decide(s, m).verdict, StoreVerdict::not_cacheable) << s;
  }
}

// §3: a 302 with max-age, or a 500 with Expires, or public, may be stored.
TEST(Storage_9111_S3, StoresAnyStatusWithExplicitFreshness) {
  Message a{{"Cache-Control", "max-age=10"}};
  EXPECT_TRUE(decide(302, a).storable());
  Message b{{"Expires", testing::http_date(testing::kNow + 60)}};
  EXPECT_TRUE(decide(500, b).storable());
  Message c{{"Cache-Control", "public"}};
  EXPECT_TRUE(decide(307, c).storable());
}

// §5.2.2.5: no-store forbids storage, whatever else is present.
TEST(Storage_9111_S5_2_2_5, NoStoreWins) {
  Message m{{"Cache-Control", "max-age=60, no-store, public"}};
  EXPECT_EQ(decide(200, m).verdict, StoreVerdict::no_store);
}

// §5.2.2.5 with directives split across lines: one Cache-Control.
TEST(Storage_9111_S5_2_2_5, NoStoreOnASecondLine) {
  Message m{{"Cache-Control", "max-age=60"}, {"Cache-Control", "no-store"}};
  EXPECT_EQ(decide(200, m).verdict, StoreVerdict::no_store);
}

// §5.2.2.7: unqualified private forbids a shared cache to store.
TEST(Storage_9111_S5_2_2_7, PrivateIsNotStoredByASharedCache) {
  Message m{{"Cache-Control", "private, max-age=60"}};
  EXPECT_EQ(decide(200, m).verdict, StoreVerdict::private_);
}

// §5.2.2.7: private="field" stores the response without that field.
TEST(Storage_9111_S5_2_2_7, QualifiedPrivateStripsTheNamedFields) {
  Message m{{"Cache-Control", "private=\"X-User, Set-Cookie\", max-age=60"}, {"Set-Cookie", "a=b"}};
  const StoreDecision d = decide(200, m);
  ASSERT_TRUE(d.storable());
  EXPECT_TRUE(strips(d, "x-user"));
  EXPECT_TRUE(strips(d, "set-cookie"));
}

// §5.2.2.4: no-cache="field": stored, the field is not reused (we drop it).
TEST(Storage_9111_S5_2_2_4, QualifiedNoCacheStripsTheField) {
  Message m{{"Cache-Control", "no-cache=\"Set-Cookie\", max-age=60"}, {"Set-Cookie", "a=b"}};
  const StoreDecision d = decide(200, m);
  ASSERT_TRUE(d.storable());
  EXPECT_TRUE(strips(d, "set-cookie"));
}

// §5.2.2.4: unqualified no-cache is stored (then always revalidated, see reuse_test).
TEST(Storage_9111_S5_2_2_4, NoCacheIsStorable) {
  Message m{{"Cache-Control", "no-cache"}};
  EXPECT_TRUE(decide(200, m).storable());
}

// Our choice (nginx, Varnish): Set-Cookie without a qualifier naming it is not stored.
TEST(Storage_OurChoice, SetCookieIsNotStored) {
  Message m{{"Cache-Control", "max-age=60, public"}, {"Set-Cookie", "session=1"}};
  EXPECT_EQ(decide(200, m).verdict, StoreVerdict::set_cookie);
}

// Set-Cookie2 (RFC 2965) is stored like any field: RFC 6265 obsoleted it
// and no browser acts on it (the public caching suite expects it stored).
TEST(Storage_OurChoice, SetCookie2IsAnOrdinaryField) {
  Message m{{"Cache-Control", "max-age=60"}, {"Set-Cookie2", "session=1"}};
  EXPECT_TRUE(decide(200, m).storable());
}

// §3.5: a response to a request with Authorization is not stored by a shared cache...
TEST(Storage_9111_S3_5, AuthorizationRefusedWithoutPermission) {
  Message m{{"Cache-Control", "max-age=60"}};
  EXPECT_EQ(decide(200, m, "GET", true).verdict, StoreVerdict::authorization);
}

// §3.5: ...unless public, must-revalidate or s-maxage says so.
TEST(Storage_9111_S3_5, AuthorizationAllowedByPublicMustRevalidateOrSMaxage) {
  Message a{{"Cache-Control", "public, max-age=60"}};
  Message b{{"Cache-Control", "must-revalidate, max-age=60"}};
  Message c{{"Cache-Control", "s-maxage=60"}};
  EXPECT_TRUE(decide(200, a, "GET", true).storable());
  EXPECT_TRUE(decide(200, b, "GET", true).storable());
  EXPECT_TRUE(decide(200, c, "GET", true).storable());
}

// §5.2.2.3: must-understand with an understood status overrides no-store.
TEST(Storage_9111_S5_2_2_3, MustUnderstandOverridesNoStoreForKnownStatus) {
  Message m{{"Cache-Control", "must-understand, no-store, max-age=60"}};
  EXPECT_TRUE(decide(200, m).storable());
}

// §5.2.2.3: must-understand with a status we do not implement: not stored.
TEST(Storage_9111_S5_2_2_3, MustUnderstandRefusesUnknownStatus) {
  Message m{{"Cache-Control", "must-understand, no-store, max-age=60"}};
  EXPECT_EQ(decide(299, m).verdict, StoreVerdict::not_understood);
}

// §3.1: hop-by-hop fields and the fields Connection names are not stored.
TEST(Storage_9111_S3_1, HopByHopAndConnectionNamedFieldsAreStripped) {
  Message m{{"Cache-Control", "max-age=60"}, {"Connection", "close, X-Hop"}, {"Keep-Alive", "timeout=5"}, {"X-Hop", "1"}};
  const StoreDecision d = decide(200, m);
  ASSERT_TRUE(d.storable());
  EXPECT_TRUE(strips(d, "connection"));
  EXPECT_TRUE(strips(d, "keep-alive"));
  EXPECT_TRUE(strips(d, "x-hop"));
  EXPECT_TRUE(strips(d, "transfer-encoding"));
}

// §4.1: Vary: * can never match, so it is not stored.
TEST(Storage_9111_S4_1, VaryStarIsNotStored) {
  Message m{{"Cache-Control", "max-age=60"}, {"Vary", "Accept-Encoding, *"}};
  EXPECT_EQ(decide(200, m).verdict, StoreVerdict::vary_star);
}

// §5.2.1.5: request no-store is advisory; obeyed only when the policy says so.
TEST(Storage_9111_S5_2_1_5, RequestNoStoreFollowsPolicy) {
  Message m{{"Cache-Control", "max-age=60"}};
  RequestFacts request{"GET", false, {}};
  parse_cache_control("no-store", request.directives);
  EXPECT_TRUE(decide_storage(request, facts(200, m), m.fields()).storable());
  EXPECT_EQ(decide_storage(request, facts(200, m), m.fields(), {.honour_request_no_store = true}).verdict,
            StoreVerdict::no_store);
}

// RFC 9213 §2.1: a valid CDN-Cache-Control overrides Cache-Control's no-store.
TEST(Storage_9213_S2_1, TargetedFieldOverridesCacheControl) {
  Message m{{"Cache-Control", "no-store"}, {"CDN-Cache-Control", "max-age=60"}};
  EXPECT_TRUE(decide(200, m).storable());
}

// RFC 9213 §2.1: and a targeted no-store forbids what Cache-Control allowed.
TEST(Storage_9213_S2_1, TargetedNoStoreForbids) {
  Message m{{"Cache-Control", "max-age=600, public"}, {"CDN-Cache-Control", "no-store"}};
  EXPECT_EQ(decide(200, m).verdict, StoreVerdict::no_store);
}

}  // namespace
}  // namespace relais::freshness
