// relais-sync pull from an HTTP origin (TestOrigin on 127.0.0.1): conditional
// manifest, incremental fetches, retries, resume, and hostile origins.
#include <gtest/gtest.h>

#include "origin-sync/content_hash.h"
#include "tests/integration/origin_sync_support.h"

namespace relais::testing {
namespace {

namespace fs = std::filesystem;

class HttpPull : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string text;
    for (int i = 0; i < 400; ++i) text += "Ligne " + std::to_string(i) + " du cours de mathématiques.\n";
    dir.write("src/cours.txt", text);
    dir.write("src/page.html", "<!doctype html><title>x</title>" + text);
    std::string noise(300 * 1024, '\0');
    for (std::size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 2654435761u) >> 13);
    dir.write("src/video.bin", noise);
    publish();
  }
  void publish() {
    ProcessResult r = relais_sync({"publish", dir.file("src"), out, "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    manifest = read_published_manifest(out);
  }
  ProcessResult pull(std::vector<std::string> extra = {}) { return pull_from(origin.url(), store, std::move(extra)); }
  void expect_verified() {
    ProcessResult v = relais_sync({"verify", "--store", store});
    EXPECT_EQ(v.exit_code, 0) << v.err;
  }

  TempDir dir;
  std::string out = dir.file("out");
  std::string store = dir.file("store");
  Manifest manifest;
  TestOrigin origin{dir.file("out")};
};

TEST_F(HttpPull, InitialSyncFetchesEveryBlobOnceAndVerifies) {
  ProcessResult r = pull();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(origin.blob_bodies_sent(), static_cast<int>(blob_hashes(manifest).size()));
  EXPECT_EQ(read_file(store + "/manifest"), read_file(out + "/manifest"));
  EXPECT_TRUE(fs::exists(store + "/.origin-etag"));
  EXPECT_TRUE(temp_files_under(store).empty());
  expect_verified();
}

TEST_F(HttpPull, UnchangedOriginAnswers304AndNothingIsFetched) {
  ASSERT_EQ(pull().exit_code, 0);
  const int bodies = origin.blob_bodies_sent();
  ProcessResult r = pull();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(origin.not_modified_sent(), 1);
  EXPECT_EQ(origin.blob_bodies_sent(), bodies);
  EXPECT_NE(r.out.find("not modified (304)"), std::string::npos) << r.out;
}

TEST_F(HttpPull, OneChangedFileFetchesExactlyItsNewBlobs) {
  ASSERT_EQ(pull().exit_code, 0);
  const auto before = blob_hashes(manifest);
  dir.write("src/cours.txt", read_file(dir.file("src/cours.txt")) + "Une ligne de plus.\n");
  publish();
  std::size_t fresh = 0;
  for (const auto& h : blob_hashes(manifest)) fresh += !before.contains(h);
  ASSERT_GT(fresh, 0u);
  const int bodies = origin.blob_bodies_sent();
  ProcessResult r = pull();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(origin.blob_bodies_sent() - bodies, static_cast<int>(fresh));
  EXPECT_NE(r.out.find("(" + std::to_string(fresh) + " fetched"), std::string::npos) << r.out;
  expect_verified();
}

TEST_F(HttpPull, RetriesThroughServerErrors) {
  origin.fail_next(3);
  ProcessResult r = pull();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_verified();
}

TEST_F(HttpPull, UnreachableOriginFailsWithOneLineAndKeepsTheStore) {
  ASSERT_EQ(pull().exit_code, 0);
  const std::string before = read_file(store + "/manifest");
  origin.stop();
  ProcessResult r = pull({"--retries", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("manifest"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(store + "/manifest"), before);
  expect_verified();
}

TEST_F(HttpPull, TamperedBlobIsRejectedDeletedAndNeverStored) {
  const ContentHash video = find_entry(manifest, "video.bin")->identity().hash;
  origin.corrupt(video.hex());
  ProcessResult r = pull({"--retries", "2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("content hashes to"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(store + "/manifest"));
  EXPECT_FALSE(fs::exists(blob_path(store, video)));
  EXPECT_TRUE(temp_files_under(store).empty());
  EXPECT_EQ(origin.gets()["/" + blob_relative_path(video)], 3);  // first try + 2 retries
  origin.clear_faults();
  ASSERT_EQ(pull().exit_code, 0);
  expect_verified();
}

TEST_F(HttpPull, TruncatedBodyIsResumedWithARange) {
  origin.faults_only_under("/blobs/");
  origin.truncate_next(1);
  ProcessResult r = pull({"--jobs", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(origin.range_requests(), 1);
  EXPECT_NE(r.out.find("1 resumed"), std::string::npos) << r.out;
  expect_verified();
}

TEST_F(HttpPull, StalledTransferIsCutAndResumed) {
  origin.faults_only_under("/blobs/");
  origin.stall_next(1);
  ProcessResult r = pull({"--jobs", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(origin.range_requests(), 1);
  expect_verified();
}

TEST_F(HttpPull, GarbageManifestIsRejectedWhole) {
  origin.garbage_next(1);
  ProcessResult r = pull({"--retries", "0"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("manifest"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(store + "/manifest"));
  EXPECT_TRUE(stored_blobs(store).empty());
}

// Writes a manifest by hand with a correct end checksum (MANIFEST.md).
std::string hand_made_manifest(const std::string& version, const std::string& path, const ContentHash& h, std::size_t size) {
  std::string body = "relais-manifest\t" + version + "\ngeneration\t7\npublished\t1700000000\n" + "file\t" + path +
                     "\ttext/plain\t1700000000\tidentity:" + h.hex() + ":" + std::to_string(size) + "\n";
  return body + "end\t1\t" + hash_bytes(body).hex() + "\n";
}

TEST_F(HttpPull, ManifestWithAnUnknownMajorVersionIsRejected) {
  const ManifestEntry& e = *find_entry(manifest, "cours.txt");
  dir.write("out/manifest", hand_made_manifest("2.0", "cours.txt", e.identity().hash, e.identity().size));
  ProcessResult r = pull();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("version 2.0 is not supported"), std::string::npos) << r.err;
  EXPECT_TRUE(stored_blobs(store).empty());
}

TEST_F(HttpPull, ManifestWithAPathTraversalIsRejectedAndNothingIsWrittenOutside) {
  const ManifestEntry& e = *find_entry(manifest, "cours.txt");
  dir.write("out/manifest", hand_made_manifest("1.0", "../../etc/passwd", e.identity().hash, e.identity().size));
  const std::string deep_store = dir.file("a/b/store");
  ProcessResult r = pull_from(origin.url(), deep_store);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("manifest line 4"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(deep_store + "/manifest"));
  EXPECT_TRUE(stored_blobs(deep_store).empty());
  EXPECT_FALSE(fs::exists(dir.file("etc")));
  EXPECT_FALSE(fs::exists(dir.file("a/etc")));
}

TEST_F(HttpPull, OriginKilledMidSyncLeavesThePreviousManifestAndTheNextSyncCompletes) {
  ASSERT_EQ(pull().exit_code, 0);
  const std::string before = read_file(store + "/manifest");
  dir.write("src/video.bin", read_file(dir.file("src/video.bin")) + "v2");
  publish();
  origin.faults_only_under("/blobs/");
  origin.stall_next(1);
  Subprocess puller({RELAIS_SYNC_BIN, "pull", "--origin", origin.url(), "--store", store, "--jobs", "1",
                     "--retries", "1", "--stall-timeout", "30s", "--connect-timeout", "1s"});
  ASSERT_TRUE(origin.wait_for([&] { return origin.stalled_now() > 0; }));
  const std::uint16_t port = origin.port();
  origin.stop();  // the origin dies with a transfer half done
  auto code = puller.wait_exit(std::chrono::seconds(30));
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 1) << puller.stderr_text();
  EXPECT_EQ(read_file(store + "/manifest"), before);
  expect_verified();
  TestOrigin back(out, port);
  ASSERT_EQ(back.port(), port);
  ProcessResult r = pull_from(back.url(), store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(store + "/manifest"), read_file(out + "/manifest"));
  expect_verified();
}

}  // namespace
}  // namespace relais::testing
