#include "origin-sync/delta_publishing.h"

#include <gtest/gtest.h>

#include "origin-sync/blob_path.h"
#include "origin-sync/publisher.h"
#include "scratch_dir.h"

namespace relais {
namespace {

std::string page(const std::string& paragraph) {
  std::string text = "<!doctype html><title>Lecon</title>\n";
  for (int i = 0; i < 60; ++i) text += "<p>Paragraphe " + std::to_string(i) + " de la lecon sur les fractions.</p>\n";
  return text + "<p>" + paragraph + "</p>\n";
}

class DeltaPublishing : public ::testing::Test {
 protected:
  Manifest publish_version(const std::string& html, unsigned versions = 3) {
    // Rewritten only when it changes: a rewrite moves the mtime, which the
    // manifest records (the unchanged-tree test failed when a second passed).
    if (src_.read("a.html") != html) src_.write("a.html", html);
    const std::string photo = std::string("\xff\xd8\xff\xe0", 4) + std::string(3000, 'x');
    if (src_.read("photo.jpg") != photo) src_.write("photo.jpg", photo);
    PublishOptions options;
    options.source_dir = src_.path();
    options.out_dir = out_.path();
    options.dictionary_versions = versions;
    options.now = [] { return std::int64_t{1000}; };
    auto r = publish(options);
    EXPECT_TRUE(r.ok()) << r.error().message;
    auto m = read_manifest_file(out_.path());
    EXPECT_TRUE(m.ok());
    return m.ok() ? *m : Manifest{};
  }
  std::string read_blob(const ContentHash& h) const {
    std::ifstream in(blob_path(out_.path(), h), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  ScratchDir src_, out_;
};

TEST_F(DeltaPublishing, AChangedPageGetsDeltasAgainstItsEarlierVersionsNewestFirst) {
  const std::string v1 = page("un"), v2 = page("deux"), v3 = page("trois");
  Manifest m1 = publish_version(v1);
  EXPECT_TRUE(m1.entries[0].deltas.empty());  // nothing earlier yet
  Manifest m2 = publish_version(v2);
  ASSERT_EQ(m2.entries[0].deltas.size(), 1u);
  Manifest m3 = publish_version(v3);
  const ManifestEntry& e = m3.entries[0];
  ASSERT_EQ(e.deltas.size(), 2u);
  EXPECT_EQ(e.deltas[0].dictionary, dictionary_hash(v2));
  EXPECT_EQ(e.deltas[0].dictionary_blob, hash_bytes(v2));
  EXPECT_EQ(e.deltas[1].dictionary, dictionary_hash(v1));
  for (const DeltaVariant& d : e.deltas) {
    EXPECT_LT(d.size, e.variants[1].size);  // smaller than br, or not kept
    const std::string dictionary = d.dictionary == dictionary_hash(v2) ? v2 : v1;
    auto decoded = apply_dictionary_delta(read_blob(d.hash), dictionary, 1 << 20);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, v3);
  }
  EXPECT_TRUE(m3.entries[1].deltas.empty());  // a JPEG never gets one
}

TEST_F(DeltaPublishing, KeepsAtMostTheConfiguredNumberOfVersions) {
  publish_version(page("1"));
  publish_version(page("2"));
  publish_version(page("3"));
  Manifest m = publish_version(page("4"), 2);
  EXPECT_EQ(m.entries[0].deltas.size(), 2u);
  EXPECT_EQ(m.entries[0].deltas[1].dictionary, dictionary_hash(page("2")));
  EXPECT_TRUE(publish_version(page("5"), 0).entries[0].deltas.empty());
}

TEST_F(DeltaPublishing, AnUnchangedTreeKeepsItsDeltasAndItsManifest) {
  publish_version(page("1"));
  Manifest m2 = publish_version(page("2"));
  const std::string before = out_.read("manifest");
  Manifest again = publish_version(page("2"));
  EXPECT_EQ(again.entries, m2.entries);
  EXPECT_EQ(out_.read("manifest"), before);
  ASSERT_EQ(again.entries[0].deltas.size(), 1u);
}

// Found by the hostile review: an unchanged republish with a smaller bound
// (a cron job with the default after one manual --dictionary-versions 8)
// dropped every delta, and with them the file's history.
TEST_F(DeltaPublishing, AnUnchangedRepublishWithASmallerBoundKeepsTheNewestDeltas) {
  publish_version(page("1"), 8);
  publish_version(page("2"), 8);
  publish_version(page("3"), 8);
  Manifest m = publish_version(page("4"), 8);
  ASSERT_EQ(m.entries[0].deltas.size(), 3u);
  Manifest trimmed = publish_version(page("4"), 2);
  ASSERT_EQ(trimmed.entries[0].deltas.size(), 2u);
  EXPECT_EQ(trimmed.entries[0].deltas[0], m.entries[0].deltas[0]);
  EXPECT_EQ(trimmed.entries[0].deltas[1], m.entries[0].deltas[1]);
  // The next change still finds the versions kept.
  EXPECT_EQ(publish_version(page("5"), 3).entries[0].deltas.size(), 3u);
}

TEST_F(DeltaPublishing, AMissingEarlierVersionIsSkipped) {
  const std::string v1 = page("1");
  publish_version(v1);
  std::filesystem::remove(blob_path(out_.path(), hash_bytes(v1)));
  Manifest m = publish_version(page("2"));
  EXPECT_TRUE(m.entries[0].deltas.empty());
}

TEST_F(DeltaPublishing, ARevertedPageGetsNoDeltaAgainstItself) {
  const std::string v1 = page("1");
  publish_version(v1);
  publish_version(page("2"));
  Manifest m = publish_version(v1);
  ASSERT_EQ(m.entries[0].deltas.size(), 1u);
  EXPECT_EQ(m.entries[0].deltas[0].dictionary, dictionary_hash(page("2")));
}

}  // namespace
}  // namespace relais
