// RFC 9111 §4.2.1 (lifetime), §4.2.2 (heuristic), §4.2.3 (age), §5.1 (Age),
// §5.3 (Expires), §1.2.2 (delta-seconds), RFC 9213 §2.1. Table of sections:
// docs/PULL_THROUGH.md.
#include "edge/cache/freshness/freshness.h"

#include <gtest/gtest.h>

#include "tests/unit/cache/freshness/message.h"

namespace relais::freshness {
namespace {

using testing::facts;
using testing::http_date;
using testing::kNow;
using testing::Message;

constexpr ExchangeTimes kAtNow{kNow, kNow};

std::int64_t lifetime(int status, const Message& m, bool* heuristic = nullptr) {
  return freshness_lifetime(facts(status, m), kAtNow, {}, heuristic);
}

// §4.2.1: a shared cache uses s-maxage before max-age.
TEST(Freshness_9111_S4_2_1, SMaxageBeatsMaxAge) {
  Message m{{"Cache-Control", "max-age=10, s-maxage=300"}};
  EXPECT_EQ(lifetime(200, m), 300);
}

// §4.2.1: max-age before Expires.
TEST(Freshness_9111_S4_2_1, MaxAgeBeatsExpires) {
  Message m{{"Cache-Control", "max-age=10"}, {"Date", http_date(kNow)}, {"Expires", http_date(kNow + 900)}};
  EXPECT_EQ(lifetime(200, m), 10);
}

// §4.2.1: Expires minus Date.
TEST(Freshness_9111_S4_2_1, ExpiresMinusDate) {
  Message m{{"Date", http_date(kNow - 100)}, {"Expires", http_date(kNow + 500)}};
  EXPECT_EQ(lifetime(200, m), 600);
}

// §4.2.1: no Date: Expires minus the time the response arrived (RFC 9110 §6.6.1).
TEST(Freshness_9111_S4_2_1, ExpiresWithoutDateUsesResponseTime) {
  Message m{{"Expires", http_date(kNow + 500)}};
  EXPECT_EQ(lifetime(200, m), 500);
}

// §5.3: an invalid Expires, especially "0", is in the past: stale.
TEST(Freshness_9111_S5_3, InvalidExpiresIsInThePast) {
  Message a{{"Date", http_date(kNow)}, {"Expires", "0"}};
  Message b{{"Date", http_date(kNow)}, {"Expires", "tomorrow"}};
  EXPECT_EQ(lifetime(200, a), 0);
  EXPECT_EQ(lifetime(200, b), 0);
}

// §4.2.1: two Expires lines: considered stale.
TEST(Freshness_9111_S4_2_1, DuplicateExpiresIsStale) {
  Message m{{"Expires", http_date(kNow + 500)}, {"Expires", http_date(kNow + 900)}};
  EXPECT_EQ(lifetime(200, m), 0);
}

// §4.2.1: Expires in the past relative to Date: stale, never a negative lifetime.
TEST(Freshness_9111_S4_2_1, ExpiresBeforeDateIsZero) {
  Message m{{"Date", http_date(kNow)}, {"Expires", http_date(kNow - 50)}};
  EXPECT_EQ(lifetime(200, m), 0);
}

// §4.2.1: an invalid max-age makes the response stale (not "ignore it and use Expires").
TEST(Freshness_9111_S4_2_1, InvalidMaxAgeIsStale) {
  for (const char* value : {"max-age=abc", "max-age=-1", "max-age=1.5", "max-age=", "max-age", "max-age= 5"}) {
    Message m{{"Cache-Control", value}, {"Expires", http_date(kNow + 900)}};
    EXPECT_EQ(lifetime(200, m), 0) << value;
  }
}

// §4.2.1: duplicated max-age with different values: stale.
TEST(Freshness_9111_S4_2_1, ConflictingDuplicateMaxAgeIsStale) {
  Message m{{"Cache-Control", "max-age=60"}, {"Cache-Control", "max-age=3600"}};
  EXPECT_EQ(lifetime(200, m), 0);
}

// §4.2.1: the same max-age twice is no conflict.
TEST(Freshness_9111_S4_2_1, IdenticalDuplicateMaxAgeCounts) {
  Message m{{"Cache-Control", "max-age=60, max-age=60"}};
  EXPECT_EQ(lifetime(200, m), 60);
}

// §5.2: the quoted form of max-age is accepted ("recipients SHOULD accept both forms").
TEST(Freshness_9111_S5_2, QuotedMaxAgeAccepted) {
  Message m{{"Cache-Control", "max-age=\"120\""}};
  EXPECT_EQ(lifetime(200, m), 120);
}

// §1.2.2: a delta-seconds too large is 2^31.
TEST(Freshness_9111_S1_2_2, HugeMaxAgeIsCappedAt2Pow31) {
  Message m{{"Cache-Control", "max-age=99999999999999999999999"}};
  EXPECT_EQ(lifetime(200, m), kDeltaSecondsCap);
}

// §5.2: directive names are case-insensitive.
TEST(Freshness_9111_S5_2, DirectiveNamesAreCaseInsensitive) {
  Message m{{"cache-control", "Max-Age=30"}};
  EXPECT_EQ(lifetime(200, m), 30);
}

// §4.2.2: heuristic 10% of (Date - Last-Modified) for a cacheable-by-default status.
TEST(Freshness_9111_S4_2_2, HeuristicIsTenPercentOfLastModifiedAge) {
  Message m{{"Date", http_date(kNow)}, {"Last-Modified", http_date(kNow - 10000)}};
  bool heuristic = false;
  EXPECT_EQ(lifetime(200, m, &heuristic), 1000);
  EXPECT_TRUE(heuristic);
}

// §4.2.2: the heuristic is capped.
TEST(Freshness_9111_S4_2_2, HeuristicIsCapped) {
  Message m{{"Date", http_date(kNow)}, {"Last-Modified", http_date(kNow - 86400 * 3650)}};
  EXPECT_EQ(lifetime(200, m), FreshnessPolicy{}.heuristic_cap);
}

// §4.2.2: no heuristic for a status not cacheable by default.
TEST(Freshness_9111_S4_2_2, NoHeuristicForOtherStatuses) {
  Message m{{"Date", http_date(kNow)}, {"Last-Modified", http_date(kNow - 10000)}};
  EXPECT_EQ(lifetime(302, m), 0);
  EXPECT_EQ(lifetime(500, m), 0);
}

// §4.2.2: public makes a status heuristically usable.
TEST(Freshness_9111_S4_2_2, PublicAllowsHeuristic) {
  Message m{{"Cache-Control", "public"}, {"Date", http_date(kNow)}, {"Last-Modified", http_date(kNow - 10000)}};
  EXPECT_EQ(lifetime(302, m), 1000);
}

// §4.2.2: never a heuristic when an explicit expiration exists.
TEST(Freshness_9111_S4_2_2, NoHeuristicWhenExpiresPresent) {
  Message m{{"Date", http_date(kNow)}, {"Expires", "0"}, {"Last-Modified", http_date(kNow - 10000)}};
  bool heuristic = true;
  EXPECT_EQ(lifetime(200, m, &heuristic), 0);
  EXPECT_FALSE(heuristic);
}

// §4.2.2: a Last-Modified after Date gives no heuristic.
TEST(Freshness_9111_S4_2_2, FutureLastModifiedGivesNothing) {
  Message m{{"Date", http_date(kNow)}, {"Last-Modified", http_date(kNow + 100)}};
  EXPECT_EQ(lifetime(200, m), 0);
}

// §4.2.2 heuristic as negative caching: 404/410 without explicit freshness live negative_lifetime.
TEST(Freshness_9111_S4_2_2, NegativeCachingOf404And410) {
  Message m{{"Date", http_date(kNow)}};
  bool heuristic = false;
  EXPECT_EQ(lifetime(404, m, &heuristic), FreshnessPolicy{}.negative_lifetime);
  EXPECT_TRUE(heuristic);
  EXPECT_EQ(lifetime(410, m), FreshnessPolicy{}.negative_lifetime);
  Message explicit_{{"Cache-Control", "max-age=0"}};
  EXPECT_EQ(lifetime(404, explicit_), 0);  // the origin's word wins
  FreshnessPolicy off;
  off.negative_lifetime = 0;
  EXPECT_EQ(freshness_lifetime(facts(404, m), kAtNow, off), 0);
}

// §4.2.3: resident time adds to the age.
TEST(Age_9111_S4_2_3, ResidentTimeAdds) {
  Message m{{"Date", http_date(kNow)}};
  EXPECT_EQ(current_age(facts(200, m), kAtNow, kNow + 42), 42);
}

// §4.2.3: Age received plus response_delay (corrected_age_value).
TEST(Age_9111_S4_2_3, AgeValuePlusResponseDelay) {
  Message m{{"Date", http_date(kNow)}, {"Age", "30"}};
  const ExchangeTimes times{kNow - 5, kNow};
  EXPECT_EQ(current_age(facts(200, m), times, kNow), 35);
}

// §4.2.3: apparent_age (response_time - Date) wins when larger.
TEST(Age_9111_S4_2_3, ApparentAgeWinsWhenLarger) {
  Message m{{"Date", http_date(kNow - 100)}, {"Age", "10"}};
  EXPECT_EQ(current_age(facts(200, m), kAtNow, kNow + 1), 101);
}

// §4.2.3: a Date in the future gives apparent_age 0, never a negative age.
TEST(Age_9111_S4_2_3, FutureDateIsClampedToZero) {
  Message m{{"Date", http_date(kNow + 1000)}};
  EXPECT_EQ(current_age(facts(200, m), kAtNow, kNow), 0);
}

// §5.1: an invalid Age is ignored; a list uses its first member.
TEST(Age_9111_S5_1, InvalidAgeIgnoredListUsesFirst) {
  Message bad{{"Date", http_date(kNow)}, {"Age", "ten"}};
  Message list{{"Date", http_date(kNow)}, {"Age", "20, 40"}};
  Message negative{{"Date", http_date(kNow)}, {"Age", "-5"}};
  EXPECT_EQ(current_age(facts(200, bad), kAtNow, kNow), 0);
  EXPECT_EQ(current_age(facts(200, list), kAtNow, kNow), 20);
  EXPECT_EQ(current_age(facts(200, negative), kAtNow, kNow), 0);
}

// §5.1 / §1.2.2: Age is formatted as delta-seconds, capped at 2^31.
TEST(Age_9111_S5_1, AgeFieldValueIsCapped) {
  EXPECT_EQ(format_age(0), "0");
  EXPECT_EQ(format_age(3600), "3600");
  EXPECT_EQ(format_age(INT64_MAX), "2147483648");
  EXPECT_EQ(format_age(-3), "0");
  Message m{{"Age", "99999999999999999999"}};
  EXPECT_EQ(current_age(facts(200, m), kAtNow, kNow + 10), kDeltaSecondsCap);
}

// RFC 9213 §2.1: a valid CDN-Cache-Control decides the lifetime; Cache-Control and Expires are ignored.
TEST(Freshness_9213_S2_1, TargetedFieldDecidesLifetime) {
  Message m{{"Cache-Control", "max-age=10"}, {"Expires", http_date(kNow + 50)}, {"CDN-Cache-Control", "max-age=600"}};
  EXPECT_EQ(lifetime(200, m), 600);
}

// RFC 9213 §2.1: with a targeted field, Expires is ignored: heuristic-free, lifetime 0.
TEST(Freshness_9213_S2_1, TargetedFieldIgnoresExpires) {
  Message m{{"Expires", http_date(kNow + 500)}, {"CDN-Cache-Control", "must-revalidate"}};
  EXPECT_EQ(lifetime(302, m), 0);
}

// RFC 9213 §2.2: an invalid targeted field is ignored: Cache-Control applies.
TEST(Freshness_9213_S2_2, InvalidTargetedFieldFallsBack) {
  for (const char* bad : {"max-age=60,", "Max-Age=60", "max-age=\"60", "max-age=(1 2)", "", "max-age=60;=x"}) {
    Message m{{"Cache-Control", "max-age=10"}, {"CDN-Cache-Control", bad}};
    EXPECT_EQ(lifetime(200, m), 10) << bad;
    EXPECT_FALSE(facts(200, m).targeted) << bad;
  }
}

// RFC 9213 §2.1 + RFC 8941: a non-integer max-age in a valid targeted field makes the response stale.
TEST(Freshness_9213_S2_1, TargetedNonIntegerMaxAgeIsStale) {
  Message m{{"Cache-Control", "max-age=10"}, {"CDN-Cache-Control", "max-age=\"60\""}};
  EXPECT_TRUE(facts(200, m).targeted);
  EXPECT_EQ(lifetime(200, m), 0);
}

// RFC 8941 §4.2.2 via RFC 9213: a repeated key: the last one counts; parameters are ignored.
TEST(Freshness_9213_S2_1, TargetedLastDuplicateWinsParametersIgnored) {
  Message m{{"CDN-Cache-Control", "max-age=10, max-age=90;foo=bar"}};
  EXPECT_EQ(lifetime(200, m), 90);
}

}  // namespace
}  // namespace relais::freshness
