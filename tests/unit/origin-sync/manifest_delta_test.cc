#include "origin-sync/manifest_delta.h"

#include <gtest/gtest.h>

#include "origin-sync/manifest.h"
#include "origin-sync/manifest_blobs.h"

namespace relais {
namespace {

ContentHash h(std::uint64_t n) { return ContentHash{n * 0x9E3779B97F4A7C15ull, ~n}; }

std::string with_end(const std::string& head_and_body, std::size_t count) {
  return head_and_body + "end\t" + std::to_string(count) + "\t" + hash_bytes(head_and_body).hex() + "\n";
}

DeltaVariant delta(int n, std::uint64_t size) {
  return DeltaVariant{dictionary_hash("version " + std::to_string(n)), h(100 + n), h(200 + n), size};
}

Manifest with_deltas() {
  Manifest m;
  m.generation = 3;
  m.published_at = 9;
  ManifestEntry page{"cours/a.html", "text/html; charset=utf-8", 5, {{Encoding::identity, h(1), 5000}, {Encoding::br, h(2), 1500}}};
  page.deltas = {delta(2, 120), delta(1, 300)};
  m.entries.push_back(page);
  m.entries.push_back({"cours/b.css", "text/css", 5, {{Encoding::identity, h(3), 900}}});
  return m;
}

TEST(ManifestDelta, RoundTripsAndIsWrittenAsVersion11) {
  const Manifest m = with_deltas();
  const std::string text = serialize_manifest(m);
  EXPECT_EQ(text.substr(0, 20), "relais-manifest\t1.1\n");
  EXPECT_NE(text.find("\ndelta\t" + m.entries[0].deltas[0].dictionary.hex() + "\t" + h(102).hex() + "\tdcz:" +
                      h(202).hex() + ":120\n"),
            std::string::npos);
  auto parsed = parse_manifest(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->entries, m.entries);
  EXPECT_EQ(serialize_manifest(*parsed), text);
}

TEST(ManifestDelta, AManifestWithoutDeltasStaysVersion10) {
  Manifest m = with_deltas();
  m.entries[0].deltas.clear();
  EXPECT_EQ(serialize_manifest(m).substr(0, 20), "relais-manifest\t1.0\n");
}

TEST(ManifestDelta, BlobListsIncludeTheDeltasButNotTheirDictionaries) {
  auto blobs = scan_manifest_blobs(serialize_manifest(with_deltas()));
  ASSERT_TRUE(blobs.ok()) << blobs.error().message;
  std::vector<ContentHash> hashes;
  for (const ManifestBlob& b : blobs->blobs) hashes.push_back(b.hash);
  EXPECT_EQ(hashes, (std::vector<ContentHash>{h(1), h(2), h(202), h(201), h(3)}));
  EXPECT_TRUE(blobs->blobs[2].delta);
  EXPECT_EQ(blob_coding_name(blobs->blobs[2]), "dcz");
  EXPECT_EQ(blob_coding_name(blobs->blobs[1]), "br");
}

// One row per hostile delta record; each must reject the whole manifest.
TEST(ManifestDelta, RejectsMalformedRecords) {
  const std::string file = "file\ta\ttext/plain\t1\tidentity:" + h(1).hex() + ":1000\n";
  const std::string sha = dictionary_hash("x").hex();
  const std::string good = "delta\t" + sha + "\t" + h(5).hex() + "\tdcz:" + h(6).hex() + ":100\n";
  const std::string head11 = "relais-manifest\t1.1\ngeneration\t1\npublished\t5\n";
  struct Row {
    const char* name;
    std::string text;
  } rows[] = {
      {"delta before any file", with_end(head11 + good + file, 1)},
      {"delta in a 1.0 manifest", with_end("relais-manifest\t1.0\ngeneration\t1\npublished\t5\n" + file + good, 1)},
      {"missing fields", with_end(head11 + file + "delta\t" + sha + "\n", 1)},
      {"upper-case sha", with_end(head11 + file + "delta\t" + dictionary_hash("x").hex().replace(0, 1, "F") + "\t" +
                                      h(5).hex() + "\tdcz:" + h(6).hex() + ":100\n", 1)},
      {"short sha", with_end(head11 + file + "delta\t" + sha.substr(2) + "\t" + h(5).hex() + "\tdcz:" + h(6).hex() + ":100\n", 1)},
      {"wrong encoding", with_end(head11 + file + "delta\t" + sha + "\t" + h(5).hex() + "\tbr:" + h(6).hex() + ":100\n", 1)},
      {"not smaller", with_end(head11 + file + "delta\t" + sha + "\t" + h(5).hex() + "\tdcz:" + h(6).hex() + ":1000\n", 1)},
      {"zero size", with_end(head11 + file + "delta\t" + sha + "\t" + h(5).hex() + "\tdcz:" + h(6).hex() + ":0\n", 1)},
      {"same dictionary twice", with_end(head11 + file + good + good, 1)},
      {"blob with two sizes", with_end(head11 + file + "delta\t" + sha + "\t" + h(5).hex() + "\tdcz:" + h(1).hex() + ":100\n", 1)},
  };
  for (const Row& row : rows) EXPECT_FALSE(parse_manifest(row.text).ok()) << row.name;
  std::string nine = head11 + file;
  for (int i = 0; i < 9; ++i)
    nine += "delta\t" + dictionary_hash(std::to_string(i)).hex() + "\t" + h(5).hex() + "\tdcz:" + h(10 + i).hex() + ":100\n";
  auto r = parse_manifest(with_end(nine, 1));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("more than 8 delta records"), std::string::npos) << r.error().message;
  EXPECT_TRUE(parse_manifest(with_end(head11 + file + good, 1)).ok());
}

}  // namespace
}  // namespace relais
