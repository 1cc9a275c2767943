#include "edge/cache/catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
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
  auto catalog = Catalog::from_manifest(sample_manifest()).value();
  ASSERT_EQ(catalog->size(), 6u);
  EXPECT_EQ(catalog->generation(), 7u);
  const CatalogEntry* e = catalog->find("cours/élèves/leçon-1.html");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path(), "cours/élèves/leçon-1.html");
  EXPECT_EQ(e->variants().size(), 3u);
  EXPECT_EQ(e->variants()[0].hash, (ContentHash{3, 22}));
  ASSERT_NE(catalog->find("vidéos/cm2/les-volcans.mp4"), nullptr);
  EXPECT_EQ(catalog->find("vidéos/cm2/les-volcans.mp4")->content_type(), "text/html; charset=utf-8");
}

TEST(Catalog, FindIsExactNoPrefixSlashOrCaseFolding) {
  auto catalog = Catalog::from_manifest(sample_manifest()).value();
  EXPECT_EQ(catalog->find("/index.html"), nullptr);
  EXPECT_EQ(catalog->find("INDEX.HTML"), nullptr);
  EXPECT_EQ(catalog->find("cours/maths"), nullptr);
  EXPECT_EQ(catalog->find("cours/maths/"), nullptr);
  EXPECT_EQ(catalog->find("index.htm"), nullptr);
  EXPECT_EQ(catalog->find(""), nullptr);
  EXPECT_EQ(catalog->find(std::string_view("index.html\0x", 12)), nullptr);
}

TEST(Catalog, FindIndexInRootAndSubdirectories) {
  auto catalog = Catalog::from_manifest(sample_manifest()).value();
  const CatalogEntry* root = catalog->find_index("");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->path(), "index.html");
  const CatalogEntry* maths = catalog->find_index("cours/maths/");
  ASSERT_NE(maths, nullptr);
  EXPECT_EQ(maths->path(), "cours/maths/index.html");
  EXPECT_EQ(catalog->find_index("cours/"), nullptr);
  EXPECT_EQ(catalog->find_index("nowhere/"), nullptr);
  // With an allow-listed query the suffix is part of the name looked up.
  EXPECT_EQ(catalog->find_index("cours/maths/", "?lang=fr"), nullptr);
  EXPECT_EQ(catalog->find_index("cours/maths/", ""), maths);
}

TEST(Catalog, FindIndexRejectsOverlongDirectoryWithoutOverflow) {
  auto catalog = Catalog::from_manifest(sample_manifest()).value();
  std::string huge(kManifestMaxPathBytes * 4, 'a');
  EXPECT_EQ(catalog->find_index(huge), nullptr);
  std::string edge(kManifestMaxPathBytes - 9, 'a');  // one byte over the bound with "index.html"
  EXPECT_EQ(catalog->find_index(edge), nullptr);
  EXPECT_EQ(catalog->find_index("", huge), nullptr);  // a long query suffix, the same bound
}

TEST(Catalog, IsDirectoryForEveryAncestorOfAnEntry) {
  auto catalog = Catalog::from_manifest(sample_manifest()).value();
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
  auto catalog = Catalog::from_manifest(sample_manifest()).value();
  const CatalogEntry* e = catalog->find("index.html");
  ASSERT_NE(e, nullptr);
  std::set<std::string> distinct;
  for (std::size_t i = 0; i < e->variants().size(); ++i) {
    const std::string tag(entity_tag(*e, i).view());
    ASSERT_EQ(tag.size(), ContentHash::kHexLength + 2);
    EXPECT_EQ(tag.front(), '"');
    EXPECT_EQ(tag.back(), '"');
    EXPECT_EQ(tag.substr(1, ContentHash::kHexLength), e->variants()[i].hash.hex());
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
  auto catalog = Catalog::from_manifest(std::move(m)).value();
  const CatalogEntry* found = catalog->find("a.html");
  ASSERT_NE(found, nullptr);
  ASSERT_EQ(found->variants().size(), 2u);
  const std::string tag0(entity_tag(*found, 0).view());
  const std::string tag1(entity_tag(*found, 1).view());
  EXPECT_NE(tag0, tag1);
  EXPECT_EQ(tag1, "\"" + found->variants()[1].hash.hex() + "-gzip\"");
}

TEST(Catalog, EntriesWithoutVariantsAreLeftOut) {
  Manifest m = sample_manifest();
  ManifestEntry broken;
  broken.path = "broken.html";
  m.entries.push_back(broken);
  auto catalog = Catalog::from_manifest(std::move(m)).value();
  EXPECT_EQ(catalog->find("broken.html"), nullptr);
  EXPECT_EQ(catalog->size(), 6u);
}

TEST(Catalog, EmptyManifestFindsNothing) {
  auto catalog = Catalog::from_manifest(Manifest{}).value();
  EXPECT_EQ(catalog->size(), 0u);
  EXPECT_EQ(catalog->find_index(""), nullptr);
  EXPECT_FALSE(catalog->is_directory(""));
}

// Manifest text of n short entries ("dNNN/fNNNNNNN", text/plain, identity
// only): the worst case for the catalog's size against the text's.
std::string short_manifest_text(std::size_t n) {
  Manifest m;
  m.generation = 3;
  for (std::size_t i = 0; i < n; ++i) {
    char path[32];
    std::snprintf(path, sizeof path, "d%03zu/f%07zu", i % 1000, i);
    m.entries.push_back({path, "text/plain", 1700000000, {variant(Encoding::identity, i + 1, 4000000 + i)}});
  }
  std::sort(m.entries.begin(), m.entries.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return serialize_manifest(m);
}

std::string sorted_text(Manifest m) {
  std::sort(m.entries.begin(), m.entries.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return serialize_manifest(m);
}

TEST(Catalog, LoadsStraightFromManifestText) {
  const std::string text = sorted_text(sample_manifest());
  auto loaded = Catalog::load(text);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const Catalog& catalog = **loaded;
  EXPECT_EQ(catalog.generation(), 7u);
  EXPECT_EQ(catalog.size(), 6u);
  EXPECT_EQ(catalog.checksum().hex(), text.substr(text.size() - 33, 32));
  const CatalogEntry* e = catalog.find("cours/élèves/leçon-1.html");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->content_type(), "text/html; charset=utf-8");
  EXPECT_EQ(e->last_modified(), 1700000000);
  EXPECT_EQ(e->variants().size(), 3u);
  EXPECT_TRUE(catalog.is_directory("vidéos/cm2"));
}

TEST(Catalog, LoadRefusesAnInvalidManifest) {
  std::string text = sorted_text(sample_manifest());
  text[text.size() / 2] ^= 1;
  EXPECT_FALSE(Catalog::load(text).ok());
}

// Issue 21 item 6: the largest catalog an edge accepts is a named limit, and
// a manifest over it is refused before its body is read.
TEST(Catalog, RefusesAManifestListingMoreFilesThanTheLimit) {
  const std::string head = "relais-manifest\t1.0\ngeneration\t1\npublished\t5\n";
  const std::string text =
      head + "end\t" + std::to_string(kCatalogMaxEntries + 1) + "\t" + hash_bytes(head).hex() + "\n";
  auto loaded = Catalog::load(text);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("kCatalogMaxEntries"), std::string::npos) << loaded.error().message;
  EXPECT_NE(loaded.error().message.find(std::to_string(kCatalogMaxEntries + 1)), std::string::npos);
}

// Issue 21 item 6: the catalog took ~9x its manifest's size (a map of
// std::string nodes, a std::string ETag per variant). With short lines, the
// worst case, it must stay within 2x.
TEST(Catalog, TakesLessThanTwiceItsManifestText) {
  const std::string text = short_manifest_text(100000);
  auto loaded = Catalog::load(text);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ((*loaded)->size(), 100000u);
  EXPECT_LT((*loaded)->memory_bytes(), 2 * text.size()) << "text " << text.size();
  ASSERT_NE((*loaded)->find("d123/f0005123"), nullptr);
  EXPECT_TRUE((*loaded)->is_directory("d999"));
  EXPECT_EQ((*loaded)->find("d123/f0005124"), nullptr);
}

TEST(Catalog, EveryLoadedPathIsFoundAndNoOtherIs) {
  const std::string text = short_manifest_text(5000);
  auto loaded = Catalog::load(text);
  ASSERT_TRUE(loaded.ok());
  for (const CatalogEntry& e : (*loaded)->entries()) EXPECT_EQ((*loaded)->find(e.path()), &e) << e.path();
  EXPECT_EQ((*loaded)->find("d000/f000000"), nullptr);   // a prefix of a path
  EXPECT_EQ((*loaded)->find("d000/f00000000"), nullptr);  // a path plus a byte
  EXPECT_FALSE((*loaded)->is_directory("d00"));
  EXPECT_FALSE((*loaded)->is_directory("d000/f0000000"));
}

TEST(Catalog, WithoutRemovesAPathOrAPrefixAndKeepsTheRest) {
  auto catalog = Catalog::from_manifest(sample_manifest()).value();
  std::size_t removed = 0;
  auto one = catalog->without("index.html", removed);
  EXPECT_EQ(removed, 1u);
  EXPECT_EQ(one->find("index.html"), nullptr);
  EXPECT_NE(one->find("vide.txt"), nullptr);
  EXPECT_EQ(one->generation(), catalog->generation());
  EXPECT_NE(one->serial(), catalog->serial());
  auto prefix = one->without("cours/", removed);
  EXPECT_EQ(removed, 3u);
  EXPECT_EQ(prefix->size(), 2u);
  EXPECT_FALSE(prefix->is_directory("cours"));
  EXPECT_TRUE(prefix->is_directory("vidéos"));
  EXPECT_NE(catalog->find("cours/maths/index.html"), nullptr);  // the original is untouched
}

TEST(CatalogHolder, VersionStartsAtZeroAndGrowsPerPublish) {
  CatalogHolder holder;
  EXPECT_EQ(holder.version(), 0u);
  EXPECT_EQ(holder.current(), nullptr);
  holder.publish(Catalog::from_manifest(sample_manifest(1)).value());
  EXPECT_EQ(holder.version(), 1u);
  holder.publish(Catalog::from_manifest(sample_manifest(2)).value());
  EXPECT_EQ(holder.version(), 2u);
  EXPECT_EQ(holder.current()->generation(), 2u);
}

TEST(CatalogHolder, OldSnapshotStaysValidWhileHeldAfterPublish) {
  CatalogHolder holder;
  holder.publish(Catalog::from_manifest(sample_manifest(1)).value());
  std::shared_ptr<const Catalog> old = holder.current();
  const CatalogEntry* held = old->find("cours/maths/index.html");
  ASSERT_NE(held, nullptr);
  Manifest next;
  next.generation = 2;
  next.entries = {entry("autre.html", 99)};
  holder.publish(Catalog::from_manifest(std::move(next)).value());
  EXPECT_EQ(holder.current()->find("cours/maths/index.html"), nullptr);
  // The worker that had not yet re-fetched still reads its generation intact.
  EXPECT_EQ(held->path(), "cours/maths/index.html");
  EXPECT_EQ(held->variants().size(), 3u);
  EXPECT_EQ(old->generation(), 1u);
  EXPECT_EQ(old->find("index.html")->variants()[0].hash, (ContentHash{4, 29}));
}

// Regression: the worker that dropped the last reference to a replaced
// 1 M-entry catalog freed it between two requests (p99 4 ms -> 260 ms).
TEST(CatalogHolder, AReplacedCatalogIsFreedOnlyByReleaseRetiredOnceNobodyHoldsIt) {
  CatalogHolder holder;
  holder.publish(Catalog::from_manifest(sample_manifest(1)).value());
  std::weak_ptr<const Catalog> first = holder.current();
  std::shared_ptr<const Catalog> worker = holder.current();  // a worker still serving generation 1
  holder.publish(Catalog::from_manifest(sample_manifest(2)).value());
  EXPECT_EQ(holder.release_retired(), 0u);  // still held
  worker.reset();                            // the worker picks up generation 2...
  EXPECT_FALSE(first.expired());             // ...and does not free generation 1
  EXPECT_EQ(holder.release_retired(), 1u);
  EXPECT_TRUE(first.expired());
  EXPECT_EQ(holder.release_retired(), 0u);
  EXPECT_EQ(holder.current()->generation(), 2u);
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
  holder.publish(Catalog::from_manifest(marked_manifest(0)).value());
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
        if (e == nullptr || e->variants().size() != 3 || gen == nullptr ||
            gen->last_modified() != static_cast<std::int64_t>(snapshot->generation())) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (std::uint64_t g = 1; g <= kGenerations; ++g) {
    holder.publish(Catalog::from_manifest(marked_manifest(g)).value());
  }
  done.store(true, std::memory_order_release);
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(holder.version(), kGenerations + 1);
  EXPECT_EQ(holder.current()->generation(), kGenerations);
}

}  // namespace
}  // namespace relais
