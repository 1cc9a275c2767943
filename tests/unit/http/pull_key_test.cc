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
