// RFC 9111 §4.1 (Vary and the secondary key). Table of sections: docs/PULL_THROUGH.md.
#include "edge/cache/freshness/secondary_key.h"

#include <gtest/gtest.h>

#include "tests/unit/cache/freshness/message.h"

namespace relais::freshness {
namespace {

using testing::Message;

std::optional<std::string> key(std::string_view vary, const Message& request) {
  return secondary_key(vary, request.fields());
}

// §4.1: no Vary: every request matches.
TEST(Vary_9111_S4_1, EmptyVaryMatchesEverything) {
  Message a{{"Accept-Language", "fr"}};
  Message b{};
  EXPECT_EQ(key("", a), key("", b));
}

// §4.1: "*" never matches.
TEST(Vary_9111_S4_1, StarNeverMatches) {
  Message a{};
  EXPECT_EQ(key("*", a), std::nullopt);
  EXPECT_EQ(key("Accept, *", a), std::nullopt);
}

// §4.1: nominated fields must match; a different value is another variant.
TEST(Vary_9111_S4_1, DifferentValuesDifferentKeys) {
  Message fr{{"Accept-Language", "fr"}};
  Message en{{"Accept-Language", "en"}};
  EXPECT_NE(key("Accept-Language", fr), key("Accept-Language", en));
}

// §4.1: absent differs from present (an empty value is present).
TEST(Vary_9111_S4_1, AbsentDiffersFromEmpty) {
  Message absent{};
  Message empty{{"X-Theme", ""}};
  EXPECT_NE(key("X-Theme", absent), key("X-Theme", empty));
}

// §4.1: names case-insensitive, order and repetition in Vary do not matter.
TEST(Vary_9111_S4_1, FieldNameCaseAndOrderDoNotMatter) {
  Message r{{"accept-language", "fr"}, {"X-Theme", "dark"}};
  EXPECT_EQ(key("Accept-Language, X-Theme", r), key("x-theme, ACCEPT-LANGUAGE, x-theme", r));
}

// §4.1: several field lines are one list; whitespace around commas is normalised.
TEST(Vary_9111_S4_1, LinesCombinedAndWhitespaceNormalised) {
  Message two{{"X-Tags", "a"}, {"X-Tags", "b"}};
  Message one{{"X-Tags", "a ,  b"}};
  EXPECT_EQ(key("X-Tags", two), key("X-Tags", one));
}

// §4.1: Accept-Encoding normalised to the set of codings we store.
TEST(Vary_9111_S4_1, AcceptEncodingNormalisedToCodingSet) {
  Message chrome{{"Accept-Encoding", "gzip, deflate, br, zstd"}};
  Message other{{"Accept-Encoding", "zstd;q=0.5, BR, gzip;q=1.0"}};
  EXPECT_EQ(key("Accept-Encoding", chrome), key("Accept-Encoding", other));
  EXPECT_EQ(normalised_accept_encoding(chrome.fields()), "br,zstd,gzip");
  Message identity{{"Accept-Encoding", "identity"}};
  Message absent{};
  EXPECT_EQ(key("Accept-Encoding", identity), key("Accept-Encoding", absent));
  Message gzip_off{{"Accept-Encoding", "gzip;q=0, br"}};
  EXPECT_EQ(normalised_accept_encoding(gzip_off.fields()), "br");
}

// §4.1 (bounds are ours): too many nominated fields, or a huge key, is not stored.
TEST(Vary_9111_S4_1, TooManyFieldsOrTooLongRefused) {
  Message r{{"X-Big", std::string(2000, 'a')}};
  EXPECT_EQ(key("a,b,c,d,e,f,g,h,i", r), std::nullopt);
  EXPECT_EQ(key("X-Big", r), std::nullopt);
}

// §4.1: Accept-Language compares case-insensitively.
TEST(Vary_9111_S4_1, AcceptLanguageCaseFolded) {
  Message a{{"Accept-Language", "FR-fr"}};
  Message b{{"Accept-Language", "fr-FR"}};
  EXPECT_EQ(key("Accept-Language", a), key("Accept-Language", b));
}

}  // namespace
}  // namespace relais::freshness
