#include "origin-sync/manifest_blobs.h"

#include <gtest/gtest.h>

#include "origin-sync/hash_set.h"

namespace relais {
namespace {

ContentHash h(std::uint64_t n) { return ContentHash{n * 0x9E3779B97F4A7C15ull, ~n}; }

// Two entries share blob h(2) (a zstd variant and an identity), and the
// later entry's path needs percent-encoding.
Manifest shared_blobs() {
  Manifest m;
  m.generation = 4;
  m.published_at = 1'700'000'000;
  m.entries.push_back({"a/cours.html", "text/html", 1, {{Encoding::identity, h(3), 900}, {Encoding::zstd, h(2), 300}}});
  m.entries.push_back({"b/copie.zst", "application/zstd", 2, {{Encoding::identity, h(2), 300}}});
  m.entries.push_back({"c/odd%name é", "text/plain", 3, {{Encoding::identity, h(1), 10}}});
  return m;
}

TEST(ManifestBlobs, ListsEachBlobOnceInTheOrderTheManifestFirstNamesIt) {
  const std::string text = serialize_manifest(shared_blobs());
  auto m = scan_manifest_blobs(text);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->header.generation, 4u);
  EXPECT_EQ(m->files, 3u);
  ASSERT_EQ(m->blobs.size(), 3u);
  EXPECT_EQ(m->blobs[0].hash, h(3));
  EXPECT_EQ(m->blobs[1].hash, h(2));
  EXPECT_EQ(m->blobs[1].size, 300u);
  EXPECT_EQ(m->blobs[1].encoding, Encoding::zstd);  // where it is first named
  EXPECT_EQ(m->blobs[2].hash, h(1));
}

TEST(ManifestBlobs, FindsThePathOfTheFirstRecordNamingABlob) {
  const std::string text = serialize_manifest(shared_blobs());
  auto m = scan_manifest_blobs(text);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(manifest_record_path(text, m->blobs[1].record), "a/cours.html");
  EXPECT_EQ(manifest_record_path(text, m->blobs[2].record), "c/odd%name é");  // decoded
}

TEST(ManifestBlobs, RejectsWhatParseManifestRejects) {
  std::string text = serialize_manifest(shared_blobs());
  text[text.size() / 2] ^= 1;
  auto m = scan_manifest_blobs(text);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message, parse_manifest(text).error().message);
}

TEST(ManifestBlobs, AddsEveryHashOfAValidManifestToASet) {
  HashSet set{h(9)};
  ASSERT_TRUE(add_manifest_hashes(serialize_manifest(shared_blobs()), set).ok());
  set.seal();
  EXPECT_EQ(set, (HashSet{h(1), h(2), h(3), h(9)}));
  EXPECT_EQ(set.size(), 4u);
  EXPECT_FALSE(set.contains(h(4)));
  EXPECT_FALSE(add_manifest_hashes("garbage", set).ok());
}

TEST(HashSet, SealingSortsAndDropsDuplicates) {
  HashSet set;
  for (std::uint64_t n : {5, 1, 5, 3, 1}) set.insert(h(n));
  set.seal();
  EXPECT_EQ(set.size(), 3u);
  EXPECT_TRUE(set.contains(h(1)));
  EXPECT_TRUE(set.contains(h(3)));
  EXPECT_TRUE(set.contains(h(5)));
  EXPECT_FALSE(set.contains(h(2)));
  EXPECT_EQ(set, (HashSet{h(3), h(5), h(1)}));
}

}  // namespace
}  // namespace relais
