#include "edge/cache/catalog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace relais {
namespace {

Variant variant(Encoding e, std::uint64_t id, std::uint64_t size) { return Variant{e, ContentHash{id, id * 7 + 1}, size}; }

ManifestEntry entry(std::string path, std::uint64_t id, bool compressed = false) {
  ManifestEntry e;
  e.path = std::move(path);
  e.content_type = "text/html; charset=utf-8";
  e.last_modified = 1700000000;
  e.variants.push_back(variant(Encoding::identity, id, 1000));
  if (compressed) {
    e.variants.push_back(variant(Encoding::br, id + 1000, 300));
    e.variants.push_back(variant(Encoding::gzip, id + 2000, 400));
  }
  return e;
}

Manifest sample_manifest(std::uint64_t generation = 7) {
  Manifest m;
  m.generation = generation;
  m.entries = {
      entry("cours/maths/6e/fractions.pdf", 1),
      entry("cours/maths/index.html", 2, true),
      entry("cours/élèves/leçon-1.html", 3, true),  // UTF-8 names
      entry("index.html", 4, true),
      entry("vidéos/cm2/les-volcans.mp4", 5),
      entry("vide.txt", 6),
  };
  return m;
}

TEST(Catalog, FindsExactPathsIncludingUtf8AndNested) {
  auto catalog = Catalog::build(sample_manifest());
  ASSERT_EQ(catalog->size(), 6u);
  EXPECT_EQ(catalog->generation(), 7u);
  const CatalogEntry* e = catalog->find("cours/élèves/leçon-1.html");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, "cours/élèves/leçon-1.html");
  EXPECT_EQ(e->variants.size(), 3u);
  EXPECT_EQ(e->variants[0].hash, (ContentHash{3, 22}));
  ASSERT_NE(catalog->find("vidéos/cm2/les-volcans.mp4"), nullptr);
  EXPECT_EQ(catalog->find("vidéos/cm2/les-volcans.mp4")->content_type, "text/html; charset=utf-8");
}

TEST(Catalog, FindIsExactNoPrefixSlashOrCaseFolding) {
  auto catalog = Catalog::build(sample_manifest());
  EXPECT_EQ(catalog->find("/index.html"), nullptr);
  EXPECT_EQ(catalog->find("INDEX.HTML"), nullptr);
  EXPECT_EQ(catalog->find("cours/maths"), nullptr);
  EXPECT_EQ(catalog->find("cours/maths/"), nullptr);
  EXPECT_EQ(catalog->find("index.htm"), nullptr);
  EXPECT_EQ(catalog->find(""), nullptr);
  EXPECT_EQ(catalog->find(std::string_view("index.html\0x", 12)), nullptr);
}

TEST(Catalog, FindIndexInRootAndSubdirectories) {
  auto catalog = Catalog::build(sample_manifest());
  const CatalogEntry* root = catalog->find_index("");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->path, "index.html");
  const CatalogEntry* maths = catalog->find_index("cours/maths/");
  ASSERT_NE(maths, nullptr);
  EXPECT_EQ(maths->path, "cours/maths/index.html");
  EXPECT_EQ(catalog->find_index("cours/"), nullptr);
  EXPECT_EQ(catalog->find_index("nowhere/"), nullptr);
  // With an allow-listed query the suffix is part of the name looked up.
  EXPECT_EQ(catalog->find_index("cours/maths/", "?lang=fr"), nullptr);
  EXPECT_EQ(catalog->find_index("cours/maths/", ""), maths);
}

TEST(Catalog, FindIndexRejectsOverlongDirectoryWithoutOverflow) {
  auto catalog = Catalog::build(sample_manifest());
  std::string huge(kManifestMaxPathBytes * 4, 'a');
  EXPECT_EQ(catalog->find_index(huge), nullptr);
  std::string edge(kManifestMaxPathBytes - 9, 'a');  // one byte over the bound with "index.html"
  EXPECT_EQ(catalog->find_index(edge), nullptr);
  EXPECT_EQ(catalog->find_index("", huge), nullptr);  // a long query suffix, the same bound
}

TEST(Catalog, IsDirectoryForEveryAncestorOfAnEntry) {
  auto catalog = Catalog::build(sample_manifest());
  EXPECT_TRUE(catalog->is_directory("cours"));
  EXPECT_TRUE(catalog->is_directory("cours/maths"));
  EXPECT_TRUE(catalog->is_directory("cours/maths/6e"));
  EXPECT_TRUE(catalog->is_directory("cours/élèves"));
  EXPECT_TRUE(catalog->is_directory("vidéos/cm2"));
  EXPECT_FALSE(catalog->is_directory("cours/maths/index.html"));  // a file
  EXPECT_FALSE(catalog->is_directory("cours/"));                  // callers strip the slash
  EXPECT_FALSE(catalog->is_directory("cour"));
  EXPECT_FALSE(catalog->is_directory("vide.txt"));
}

TEST(Catalog, EtagsAreQuotedHexAndDifferPerVariant) {
  auto catalog = Catalog::build(sample_manifest());
  const CatalogEntry* e = catalog->find("index.html");
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->etags.size(), e->variants.size());
  std::set<std::string> distinct;
  for (std::size_t i = 0; i < e->etags.size(); ++i) {
    const std::string& tag = e->etags[i];
    ASSERT_EQ(tag.size(), ContentHash::kHexLength + 2);
    EXPECT_EQ(tag.front(), '"');
    EXPECT_EQ(tag.back(), '"');
    EXPECT_EQ(tag.substr(1, ContentHash::kHexLength), e->variants[i].hash.hex());
    for (char c : tag.substr(1, tag.size() - 2)) EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(c))) << tag;
    distinct.insert(tag);
  }
  EXPECT_EQ(distinct.size(), 3u);
}

TEST(Catalog, EtagsStayDistinctWhenAManifestReusesAHashAcrossEncodings) {
  Manifest m;
  ManifestEntry e = entry("a.html", 1);
  e.variants.push_back(Variant{Encoding::gzip, e.variants[0].hash, 1000});
  m.entries.push_back(e);
  auto catalog = Catalog::build(std::move(m));
  const CatalogEntry* found = catalog->find("a.html");
  ASSERT_NE(found, nullptr);
  ASSERT_EQ(found->etags.size(), 2u);
  EXPECT_NE(found->etags[0], found->etags[1]);
  EXPECT_EQ(found->etags[1].front(), '"');
  EXPECT_EQ(found->etags[1].back(), '"');
}

TEST(Catalog, EntriesWithoutVariantsAreLeftOut) {
  Manifest m = sample_manifest();
  ManifestEntry broken;
  broken.path = "broken.html";
  m.entries.push_back(broken);
  auto catalog = Catalog::build(std::move(m));
  EXPECT_EQ(catalog->find("broken.html"), nullptr);
  EXPECT_EQ(catalog->size(), 6u);
}

TEST(Catalog, EmptyManifestFindsNothing) {
  auto catalog = Catalog::build(Manifest{});
  EXPECT_EQ(catalog->size(), 0u);
  EXPECT_EQ(catalog->find_index(""), nullptr);
  EXPECT_FALSE(catalog->is_directory(""));
}

TEST(CatalogHolder, VersionStartsAtZeroAndGrowsPerPublish) {
  CatalogHolder holder;
  EXPECT_EQ(holder.version(), 0u);
  EXPECT_EQ(holder.current(), nullptr);
  holder.publish(Catalog::build(sample_manifest(1)));
  EXPECT_EQ(holder.version(), 1u);
  holder.publish(Catalog::build(sample_manifest(2)));
  EXPECT_EQ(holder.version(), 2u);
  EXPECT_EQ(holder.current()->generation(), 2u);
}

TEST(CatalogHolder, OldSnapshotStaysValidWhileHeldAfterPublish) {
  CatalogHolder holder;
  holder.publish(Catalog::build(sample_manifest(1)));
  std::shared_ptr<const Catalog> old = holder.current();
  const CatalogEntry* held = old->find("cours/maths/index.html");
  ASSERT_NE(held, nullptr);
  Manifest next;
  next.generation = 2;
  next.entries = {entry("autre.html", 99)};
  holder.publish(Catalog::build(std::move(next)));
  EXPECT_EQ(holder.current()->find("cours/maths/index.html"), nullptr);
  // The worker that had not yet re-fetched still reads its generation intact.
  EXPECT_EQ(held->path, "cours/maths/index.html");
  EXPECT_EQ(held->etags.size(), 3u);
  EXPECT_EQ(old->generation(), 1u);
  EXPECT_EQ(old->find("index.html")->variants[0].hash, (ContentHash{4, 29}));
}

Manifest marked_manifest(std::uint64_t generation) {
  Manifest m = sample_manifest(generation);
  ManifestEntry marker = entry("generation.txt", generation + 10);
  marker.last_modified = static_cast<std::int64_t>(generation);
  m.entries.push_back(marker);
  return m;
}

// A writer publishes 1000 generations while readers follow the version-poll
// protocol; run under ASan/UBSan it catches use-after-free of a snapshot.
TEST(CatalogHolder, ConcurrentPublishAndLookupsKeepSnapshotsConsistent) {
  constexpr std::uint64_t kGenerations = 1000;
  constexpr int kReaders = 3;
  CatalogHolder holder;
  holder.publish(Catalog::build(marked_manifest(0)));
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&] {
      std::uint64_t seen = 0;
      std::shared_ptr<const Catalog> snapshot;
      std::uint64_t last_generation = 0;
      // Bounded: stops when the writer is done, or after a fixed number of turns.
      for (int turn = 0; turn < 2'000'000 && !done.load(std::memory_order_acquire); ++turn) {
        if (std::uint64_t v = holder.version(); v != seen) {
          seen = v;
          snapshot = holder.current();
          if (snapshot->generation() < last_generation) failures.fetch_add(1);
          last_generation = snapshot->generation();
        }
        const CatalogEntry* e = snapshot->find("cours/élèves/leçon-1.html");
        const CatalogEntry* gen = snapshot->find("generation.txt");
        if (e == nullptr || e->etags.size() != 3 || gen == nullptr ||
            gen->last_modified != static_cast<std::int64_t>(snapshot->generation())) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (std::uint64_t g = 1; g <= kGenerations; ++g) {
    holder.publish(Catalog::build(marked_manifest(g)));
  }
  done.store(true, std::memory_order_release);
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(holder.version(), kGenerations + 1);
  EXPECT_EQ(holder.current()->generation(), kGenerations);
}

}  // namespace
}  // namespace relais
