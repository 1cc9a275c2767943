#include "origin-sync/store_pull.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "origin-sync/blob_path.h"
#include "origin-sync/local_pull.h"
#include "origin-sync/manifest.h"
#include "origin-sync/publisher.h"
#include "origin-sync/store_verifier.h"
#include "tests/unit/origin-sync/scratch_dir.h"

namespace relais {
namespace {

// An origin held in memory, whose blobs a test can corrupt.
class FakeFetcher final : public BlobFetcher {
 public:
  std::string describe() const override { return "fake-origin"; }
  Result<std::string> fetch_manifest() override { return manifest; }
  Status fetch_blob(const ContentHash& hash, std::uint64_t max_bytes, BlobSink& sink) override {
    auto it = blobs.find(hash.hex());
    if (it == blobs.end()) return Error::origin("404");
    if (it->second.size() > max_bytes) return Error::origin("too large", false);
    // Deliver in two pieces, as a network would.
    const std::string& b = it->second;
    if (auto s = sink.write(std::string_view(b).substr(0, b.size() / 2)); !s) return s;
    return sink.write(std::string_view(b).substr(b.size() / 2));
  }

  void add_file(Manifest& m, const std::string& path, const std::string& content) {
    const ContentHash h = hash_bytes(content);
    blobs[h.hex()] = content;
    m.entries.push_back({path, "text/plain", 1, {{Encoding::identity, h, content.size()}}});
  }

  std::string manifest;
  std::map<std::string, std::string> blobs;
};

std::size_t files_under(const std::string& dir) {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

TEST(StorePull, CopiesVerifiedBlobsThenTheManifest) {
  ScratchDir store;
  FakeFetcher origin;
  Manifest m;
  m.generation = 3;
  origin.add_file(m, "a.txt", "alpha");
  origin.add_file(m, "b.txt", "beta");
  origin.manifest = serialize_manifest(m);
  auto r = pull_into_store(origin, store.path(), 2);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->blobs_fetched, 2u);
  EXPECT_TRUE(r->manifest_changed);
  EXPECT_EQ(store.read("manifest"), origin.manifest);
  EXPECT_EQ(store.read(blob_relative_path(hash_bytes("alpha"))), "alpha");
  auto again = pull_into_store(origin, store.path(), 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->blobs_fetched, 0u);
  EXPECT_FALSE(again->manifest_changed);
}

TEST(StorePull, TamperedBlobFailsThePullAndLeavesNothingVisible) {
  ScratchDir store;
  FakeFetcher origin;
  Manifest m;
  origin.add_file(m, "a.txt", "alpha");
  origin.blobs[hash_bytes("alpha").hex()] = "alphA";  // same size, different bytes
  origin.manifest = serialize_manifest(m);
  auto r = pull_into_store(origin, store.path(), 1);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(hash_bytes("alpha").hex()), std::string::npos) << r.error().message;
  EXPECT_FALSE(std::filesystem::exists(store.file("manifest")));
  EXPECT_EQ(files_under(store.path()), 0u);  // no blob, no temp file
}

TEST(StorePull, OversizedBlobIsCutOffAndRejected) {
  ScratchDir store;
  FakeFetcher origin;
  Manifest m;
  origin.add_file(m, "a.txt", "alpha");
  origin.blobs[hash_bytes("alpha").hex()] = "alpha and a lot more";
  origin.manifest = serialize_manifest(m);
  EXPECT_FALSE(pull_into_store(origin, store.path(), 1).ok());
  EXPECT_EQ(files_under(store.path()), 0u);
}

TEST(StorePull, MalformedManifestChangesNothing) {
  ScratchDir store;
  FakeFetcher origin;
  origin.manifest = "relais-manifest\t1.0\ngeneration\t1\n";
  auto r = pull_into_store(origin, store.path(), 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().source, ErrorSource::origin);
  EXPECT_FALSE(std::filesystem::exists(store.file("manifest")));
}

TEST(StorePull, FailedPullKeepsThePreviousManifest) {
  ScratchDir store;
  FakeFetcher origin;
  Manifest m1;
  origin.add_file(m1, "a.txt", "alpha");
  origin.manifest = serialize_manifest(m1);
  ASSERT_TRUE(pull_into_store(origin, store.path(), 1).ok());
  const std::string first = store.read("manifest");
  Manifest m2 = m1;
  m2.generation = 2;
  origin.add_file(m2, "b.txt", "beta");
  origin.blobs.erase(hash_bytes("beta").hex());
  origin.manifest = serialize_manifest(m2);
  EXPECT_FALSE(pull_into_store(origin, store.path(), 1).ok());
  EXPECT_EQ(store.read("manifest"), first);
}

TEST(LocalPull, HttpOriginsAreRecognised) {
  EXPECT_TRUE(is_http_origin("http://origin.example/"));
  EXPECT_TRUE(is_http_origin("https://origin.example/"));
  EXPECT_FALSE(is_http_origin("/srv/origin"));
  EXPECT_FALSE(is_http_origin("httpdir"));
}

TEST(Publisher, UnchangedTreeKeepsGenerationAndRecompressesNothing) {
  ScratchDir src, out;
  std::string css;
  for (int i = 0; i < 300; ++i) css += ".c" + std::to_string(i) + " { color: red; }\n";
  src.write("site.css", css);
  src.write("copy.css", css);
  src.write("notes.txt", "short");
  PublishOptions options;
  options.source_dir = src.path();
  options.out_dir = out.path();
  options.jobs = 2;
  options.now = [] { return std::int64_t{1234}; };
  auto first = publish(options);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->generation, 1u);
  EXPECT_EQ(first->files, 3u);
  EXPECT_EQ(first->variant_files[static_cast<int>(Encoding::br)], 2u);
  const std::string manifest = out.read("manifest");
  auto second = publish(options);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->generation, 1u);
  EXPECT_FALSE(second->manifest_changed);
  EXPECT_EQ(second->compressed, 0u);
  EXPECT_EQ(second->blobs_written, 0u);
  EXPECT_EQ(out.read("manifest"), manifest);

  src.write("notes.txt", "longer now");
  auto third = publish(options);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->generation, 2u);
  EXPECT_EQ(third->blobs_written, 1u);
  EXPECT_EQ(third->compressed, 0u);

  std::vector<std::string> problems;
  auto verified = verify_store(out.path(), 2, [&](const std::string& p) { problems.push_back(p); });
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(verified->generation, 2u);
}

TEST(Publisher, CorruptPreviousManifestIsARuntimeErrorNotAFreshStart) {
  ScratchDir src, out;
  src.write("a.txt", "a");
  out.write("manifest", "garbage\n");
  PublishOptions options;
  options.source_dir = src.path();
  options.out_dir = out.path();
  auto r = publish(options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().source, ErrorSource::storage);
  EXPECT_EQ(out.read("manifest"), "garbage\n");
}

}  // namespace
}  // namespace relais
