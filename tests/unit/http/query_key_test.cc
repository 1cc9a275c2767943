// The query allow-list: which pairs are kept in the lookup key, in which order.
#include "edge/http/query_key.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace relais::http {
namespace {

// out exactly as large as the contract allows, so an overrun is an ASan error.
std::string kept(const std::string& query, const std::vector<std::string>& allowed) {
  std::vector<char> out(query.size() + 1);
  const std::size_t n = append_allowed_query(query, allowed, out);
  return std::string(out.data(), n);
}

TEST(QueryKey, NothingIsKeptWithoutAnAllowList) {
  EXPECT_EQ(kept("v=random&lang=fr", {}), "");
  EXPECT_EQ(kept("", {"lang"}), "");
}

TEST(QueryKey, KeepsOnlyTheListedKeys) {
  EXPECT_EQ(kept("v=123&lang=fr&utm_source=x", {"lang"}), "?lang=fr");
  EXPECT_EQ(kept("v=123", {"lang"}), "");
  // A key is matched whole, not as a prefix, and in its raw form.
  EXPECT_EQ(kept("language=fr&lang2=de&LANG=en", {"lang"}), "");
  EXPECT_EQ(kept("lang", {"lang"}), "?lang");
  EXPECT_EQ(kept("lang=", {"lang"}), "?lang=");
}

TEST(QueryKey, OrderIsTheAllowListsSoEquivalentQueriesShareAKey) {
  EXPECT_EQ(kept("b=2&a=1", {"a", "b"}), "?a=1&b=2");
  EXPECT_EQ(kept("a=1&b=2", {"a", "b"}), "?a=1&b=2");
  EXPECT_EQ(kept("a=1&x=9&a=3", {"a"}), "?a=1&a=3");  // a repeated key keeps request order
}

TEST(QueryKey, EmptyPairsAndValuesAreCopiedAsSent) {
  EXPECT_EQ(kept("&&lang=f%72&&", {"lang"}), "?lang=f%72");
  EXPECT_EQ(kept("a=1&b=2", {"a", "b"}).size(), std::string("a=1&b=2").size() + 1);  // the tightest fit
}

TEST(QueryKey, AKeyListedTwiceStaysInsideTheBuffer) {
  // The options refuse a duplicate key; the writer must not overrun anyway.
  EXPECT_EQ(kept("a=1", {"a", "a"}), "?a=1");
}

}  // namespace
}  // namespace relais::http
