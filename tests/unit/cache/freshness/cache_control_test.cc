// RFC 9111 §5.2 (Cache-Control syntax and the directives' arguments), RFC
// 9213 §2.2 / RFC 8941 §4.2.2 (targeted fields). Table of sections:
// docs/PULL_THROUGH.md.
#include "edge/cache/freshness/cache_control.h"

#include <gtest/gtest.h>

#include "edge/cache/freshness/structured_dictionary.h"

namespace relais::freshness {
namespace {

CacheDirectives parse(std::string_view v) {
  CacheDirectives d;
  parse_cache_control(v, d);
  return d;
}

// §5.2: a comma inside a quoted argument does not split directives.
TEST(CacheControl_9111_S5_2, QuotedCommaDoesNotSplit) {
  const CacheDirectives d = parse("private=\"a, b\", max-age=5");
  EXPECT_EQ(d.private_fields, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(d.private_);
  EXPECT_EQ(d.max_age, 5);
}

// §5.2.3: unknown directives are ignored; malformed elements are skipped.
TEST(CacheControl_9111_S5_2_3, UnknownAndMalformedIgnored) {
  const CacheDirectives d = parse("foo=bar, , \"junk\", max-age=7, =x");
  EXPECT_EQ(d.max_age, 7);
  EXPECT_FALSE(d.no_store);
}

// §5.2.2.4: a malformed no-cache list is read as the stricter unqualified no-cache.
TEST(CacheControl_9111_S5_2_2_4, MalformedQualifiedNoCacheIsUnqualified) {
  EXPECT_TRUE(parse("no-cache=\"unterminated").no_cache);
  EXPECT_TRUE(parse("no-cache").no_cache);
  EXPECT_FALSE(parse("no-cache=\"Set-Cookie\"").no_cache);
}

// RFC 5861: the stale-* directives; an invalid value ignores only that directive.
TEST(CacheControl_5861, StaleDirectivesParsed) {
  const CacheDirectives d = parse("max-age=1, stale-while-revalidate=30, stale-if-error=x");
  EXPECT_EQ(d.stale_while_revalidate, 30);
  EXPECT_EQ(d.stale_if_error, std::nullopt);
  EXPECT_FALSE(d.max_age_invalid);
}

// RFC 8941 §4.2.2: dictionary syntax, booleans, every bare item type.
TEST(TargetedField_8941_S4_2_2, ParsesEveryItemType) {
  const auto d = parse_sf_dictionary("a=1, b=?0, c=\"s\\\"q\", d=tok/en, e=:aGk=:, f=1.25, g;p=1");
  ASSERT_TRUE(d);
  ASSERT_EQ(d->size(), 7u);
  EXPECT_EQ((*d)[1].type, SfMember::Type::boolean);
  EXPECT_FALSE((*d)[1].boolean);
  EXPECT_EQ((*d)[2].text, "s\"q");
  EXPECT_EQ((*d)[5].type, SfMember::Type::decimal);
  EXPECT_TRUE((*d)[6].boolean);
}

// RFC 8941 §4.2: malformed dictionaries are refused as a whole.
TEST(TargetedField_8941_S4_2, MalformedRefused) {
  for (const char* bad : {"A=1", "a=1,", "a=1 b=2", "a=\"x", "a=1234567890123456", "a=?2", "a=@1", "a=(1)", "a=1.2345"}) {
    EXPECT_FALSE(parse_sf_dictionary(bad)) << bad;
  }
}

// RFC 9213 §2.1: "no-store=?0" is no no-store; booleans map to directives.
TEST(TargetedField_9213_S2_1, FalseBooleanIsNoDirective) {
  CacheDirectives d;
  ASSERT_TRUE(parse_targeted_cache_control("no-store=?0, must-revalidate, max-age=5", d));
  EXPECT_FALSE(d.no_store);
  EXPECT_TRUE(d.must_revalidate);
  EXPECT_EQ(d.max_age, 5);
}

}  // namespace
}  // namespace relais::freshness
