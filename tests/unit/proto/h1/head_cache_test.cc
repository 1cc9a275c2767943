// HeadCache: a stored block comes back only for exactly the key it was built from.
#include "edge/proto/h1/head_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace relais::http {
namespace {

struct Entry {
  int unused = 0;
};

const char kShortLived[] = "max-age=60";
const char kLongLived[] = "max-age=86400";

TEST(HeadCache, EmptyUntilStoredThenExactKeyOnly) {
  HeadCache cache;
  Entry a;
  const HeadCache::Key key{&a, 7, kShortLived, 1};
  EXPECT_TRUE(cache.find(key).empty());
  cache.store(key, "Content-Type: text/html\r\n");
  EXPECT_EQ(cache.find(key), "Content-Type: text/html\r\n");

  HeadCache::Key other_catalog = key;
  other_catalog.catalog_serial = 8;  // same address in a newer catalog
  EXPECT_TRUE(cache.find(other_catalog).empty());
  HeadCache::Key other_variant = key;
  other_variant.variant = 0;
  EXPECT_TRUE(cache.find(other_variant).empty());
  HeadCache::Key other_rule = key;
  other_rule.cache_control = kLongLived;
  EXPECT_TRUE(cache.find(other_rule).empty());
}

TEST(HeadCache, BlocksThatDoNotFitAreNotKept) {
  HeadCache cache;
  Entry a;
  const HeadCache::Key key{&a, 1, kShortLived, 0};
  cache.store(key, std::string(HeadCache::kMaxBlock + 1, 'x'));
  EXPECT_TRUE(cache.find(key).empty());
  cache.store(key, std::string(HeadCache::kMaxBlock, 'y'));
  EXPECT_EQ(cache.find(key).size(), HeadCache::kMaxBlock);
}

TEST(HeadCache, ACollidingKeyReplacesTheSlotAndNeverReturnsTheOthersBlock) {
  HeadCache cache;
  Entry entries[4 * HeadCache::kSlots];
  for (std::size_t i = 0; i < std::size(entries); ++i)
    cache.store(HeadCache::Key{&entries[i], 1, kShortLived, 0}, "block " + std::to_string(i) + "\r\n");
  std::size_t kept = 0;
  for (std::size_t i = 0; i < std::size(entries); ++i) {
    std::string_view got = cache.find(HeadCache::Key{&entries[i], 1, kShortLived, 0});
    if (got.empty()) continue;
    ++kept;
    EXPECT_EQ(got, "block " + std::to_string(i) + "\r\n");
  }
  EXPECT_LE(kept, HeadCache::kSlots);
  EXPECT_GT(kept, HeadCache::kSlots / 2);  // the hash spreads neighbouring entries
}

}  // namespace
}  // namespace relais::http

namespace relais::http {
namespace {

TEST(HeadCache, OkPrefixFollowsTheDateAndServerName) {
  HeadCache cache;
  const std::string first(cache.ok_prefix("relais", "Mon, 23 Nov 2026 08:00:00 GMT"));
  EXPECT_EQ(first, "HTTP/1.1 200 OK\r\nServer: relais\r\nDate: Mon, 23 Nov 2026 08:00:00 GMT\r\n");
  EXPECT_EQ(cache.ok_prefix("relais", "Mon, 23 Nov 2026 08:00:01 GMT"),
            "HTTP/1.1 200 OK\r\nServer: relais\r\nDate: Mon, 23 Nov 2026 08:00:01 GMT\r\n");
  EXPECT_EQ(cache.ok_prefix("edge-7", "Mon, 23 Nov 2026 08:00:01 GMT"),
            "HTTP/1.1 200 OK\r\nServer: edge-7\r\nDate: Mon, 23 Nov 2026 08:00:01 GMT\r\n");
}

}  // namespace
}  // namespace relais::http
