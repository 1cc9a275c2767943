// A pulled path's key and origin target (pull_key.h): the responder and a
// pass's invalidation make them with the same function.
#include "edge/http/pull_key.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace relais::http {
namespace {

const std::vector<std::string> kNoKeys;

// RFC 9110 §4.2.2: the whole query by default, raw bytes a query may not
// carry percent-encoded, '%' kept (the query is still encoded).
TEST(PullKey, TheWholeQueryByDefault) {
  const PullKey k = pull_key("/a b/s", "q=x|y&z=%41", true, kNoKeys);
  EXPECT_EQ(k.key, "/a b/s?q=x%7Cy&z=%41");
  EXPECT_EQ(k.origin_target, "/a%20b/s?q=x%7Cy&z=%41");
  EXPECT_EQ(pull_key("/s", "", true, kNoKeys).key, "/s");
  EXPECT_EQ(whole_query_suffix("a=\"1\""), "?a=%221%22");
  EXPECT_EQ(whole_query_suffix(""), "");
  // A '%' that begins no escape is itself escaped (outside attack: %zz reached the origin).
  EXPECT_EQ(whole_query_suffix("a=%zz&b=%&c=%4&d=%41"), "?a=%25zz&b=%25&c=%254&d=%41");
}

// RFC 3986 §2.2: the path's sub-delims, ':' and '@' reach the origin as they
// are (encoded they name another resource); a decoded '%', '?' or '#' is
// escaped (outside attack: `;jsessionid=` went as %3B, `/@user` as %40).
TEST(PullKey, ThePathKeepsItsReservedCharacters) {
  EXPECT_EQ(pull_key("/a;jsessionid=1/@user:x!$&'()*+,", "", true, kNoKeys).origin_target,
            "/a;jsessionid=1/@user:x!$&'()*+,");
  EXPECT_EQ(pull_key("/100%/a?b#c", "", true, kNoKeys).origin_target, "/100%25/a%3Fb%23c");
}

// pull-query = keys: only the listed parameters, as for the manifest.
TEST(PullKey, OnlyTheQueryKeysWhenAsked) {
  const std::vector<std::string> keys = {"lang"};
  EXPECT_EQ(pull_key("/p", "v=1&lang=fr", false, keys).key, "/p?lang=fr");
  EXPECT_EQ(pull_key("/p", "v=1", false, keys).key, "/p");
  EXPECT_EQ(pull_key("/p", "v=1", false, kNoKeys).origin_target, "/p");
}

}  // namespace
}  // namespace relais::http
