// The disk tier's index (pulled_disk_index.h): it picks variants by Vary,
// evicts to its bound and purges as the memory table does.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "edge/cache/freshness/secondary_key.h"
#include "edge/pull/pulled_disk_index.h"

namespace relais::pull {
namespace {

DiskEntry entry(const std::string& primary, const std::string& secondary, std::uint64_t bytes,
                const std::string& vary = "") {
  return DiskEntry{primary, secondary, vary, bytes, 0};
}

TEST(PulledDiskIndex, FindsTheVariantTheRequestSelects) {
  PulledDiskIndex index(1 << 20);
  std::vector<ContentHash> evicted;
  const std::vector<freshness::FieldView> gzip = {{"Accept-Encoding", "gzip"}};
  const std::optional<std::string> gzip_key = freshness::secondary_key("Accept-Encoding", gzip);
  ASSERT_TRUE(gzip_key);
  ASSERT_TRUE(index.insert(entry("0 /a", *gzip_key, 100, "Accept-Encoding"), evicted));
  ASSERT_TRUE(index.insert(entry("0 /b", "", 100), evicted));
  EXPECT_TRUE(evicted.empty());
  EXPECT_EQ(index.find("0 /a", gzip), PulledDiskIndex::key_of("0 /a", *gzip_key));
  EXPECT_FALSE(index.find("0 /a", {}));  // identity: another variant, not stored
  EXPECT_EQ(index.find("0 /b", gzip), PulledDiskIndex::key_of("0 /b", ""));
  EXPECT_FALSE(index.find("0 /c", {}));
  EXPECT_EQ(index.objects(), 2u);
  EXPECT_EQ(index.used_bytes(), 200u);
}

TEST(PulledDiskIndex, ReplacingAVariantKeepsOneEntryWithANewGeneration) {
  PulledDiskIndex index(1 << 20);
  std::vector<ContentHash> evicted;
  ASSERT_TRUE(index.insert(entry("0 /a", "", 100), evicted));
  const ContentHash key = PulledDiskIndex::key_of("0 /a", "");
  const std::uint64_t first = index.entry(key)->generation;
  ASSERT_TRUE(index.insert(entry("0 /a", "", 300), evicted));
  EXPECT_EQ(index.objects(), 1u);
  EXPECT_EQ(index.used_bytes(), 300u);
  EXPECT_NE(index.entry(key)->generation, first);
  EXPECT_TRUE(evicted.empty());
}

// The bound holds after every insertion; the keys that went are reported
// (their files are deleted by the caller) and are gone from the index.
TEST(PulledDiskIndex, EvictsToItsBoundAndReportsTheKeys) {
  PulledDiskIndex index(10'000);
  std::vector<ContentHash> evicted;
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(index.insert(entry("0 /f" + std::to_string(i), "", 1000), evicted));
    EXPECT_LE(index.used_bytes(), 10'000u);
  }
  EXPECT_EQ(index.objects() + evicted.size(), 50u);
  for (const ContentHash& k : evicted) EXPECT_EQ(index.entry(k), nullptr);
  std::vector<ContentHash> none;
  EXPECT_FALSE(index.insert(entry("0 /huge", "", 20'000), none));
  EXPECT_EQ(index.entry(PulledDiskIndex::key_of("0 /huge", "")), nullptr);
}

TEST(PulledDiskIndex, PurgeDropsAPathOrAPrefixOfOneSite) {
  PulledDiskIndex index(1 << 20);
  std::vector<ContentHash> evicted;
  for (const char* key : {"0 /p", "0 /p?v=1", "0 /pp", "0 /dir/a", "0 /dir/b/c", "0 /dirt", "1 /p", "1 /dir/a"})
    ASSERT_TRUE(index.insert(entry(key, "", 10), evicted));
  ASSERT_TRUE(index.insert(entry("0 /p", "accept-encoding=br", 10, "Accept-Encoding"), evicted));
  EXPECT_EQ(index.purge("0 /p", false).size(), 3u);
  EXPECT_EQ(index.purge("0 /dir/", true).size(), 2u);
  EXPECT_TRUE(index.purge("0 /p", false).empty());
  EXPECT_EQ(index.objects(), 4u);
  EXPECT_EQ(index.used_bytes(), 40u);
  EXPECT_TRUE(index.find("1 /p", {}));
  EXPECT_TRUE(index.find("0 /pp", {}));
}

// A purge of a path takes its slices (pull_slices.h: "PATH\n#slice ETAG SIZE N"),
// as the memory table's does: none waits on disk for a head of its ETag.
TEST(PulledDiskIndex, PurgeOfAPathTakesItsSlices) {
  PulledDiskIndex index(1 << 20);
  std::vector<ContentHash> evicted;
  for (const char* key : {"- /v.mp4", "- /v.mp4\n#slice \"v1\" 65536 0", "- /v.mp4\n#slice \"v1\" 65536 7",
                          "- /v.mp4x\n#slice \"v1\" 65536 0", "- /w.mp4\n#slice \"v1\" 65536 0"})
    ASSERT_TRUE(index.insert(entry(key, "", 10), evicted));
  EXPECT_EQ(index.purge("- /v.mp4", false).size(), 3u);
  EXPECT_EQ(index.objects(), 2u);
  EXPECT_TRUE(index.find("- /v.mp4x\n#slice \"v1\" 65536 0", {}));
}

}  // namespace
}  // namespace relais::pull
