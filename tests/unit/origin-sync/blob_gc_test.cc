#include "origin-sync/blob_gc.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "origin-sync/blob_path.h"
#include "origin-sync/blob_writer.h"
#include "origin-sync/partial_blob.h"
#include "tests/unit/origin-sync/scratch_dir.h"

namespace relais {
namespace {

using std::chrono::seconds;

const ContentHash kA = hash_bytes("a"), kB = hash_bytes("b"), kC = hash_bytes("c");

TEST(BlobGc, ReferencedBlobsAreNeverCollected) {
  GcPlan plan = plan_gc({kA, kB}, {kA, kB}, {{kA, 0}}, 1'000'000, seconds(3600));
  EXPECT_TRUE(plan.remove.empty());
  EXPECT_TRUE(plan.record.empty());  // referenced again: its clock is forgotten
}

TEST(BlobGc, AnUnreferencedBlobStartsItsClockAndIsKeptDuringTheGrace) {
  GcPlan plan = plan_gc({kA, kB}, {kA}, {}, 1000, seconds(3600));
  EXPECT_TRUE(plan.remove.empty());
  ASSERT_EQ(plan.record.count(kB), 1u);
  EXPECT_EQ(plan.record.at(kB), 1000);
  plan = plan_gc({kA, kB}, {kA}, plan.record, 1000 + 3599, seconds(3600));
  EXPECT_TRUE(plan.remove.empty());
  plan = plan_gc({kA, kB}, {kA}, plan.record, 1000 + 3600, seconds(3600));
  EXPECT_EQ(plan.remove, std::vector<ContentHash>{kB});
  EXPECT_TRUE(plan.record.empty());
}

TEST(BlobGc, AClockThatWentBackwardsDeletesNothing) {
  GcPlan plan = plan_gc({kB}, {}, {{kB, 50'000}}, 1000, seconds(10));
  EXPECT_TRUE(plan.remove.empty());
  EXPECT_EQ(plan.record.at(kB), 1000);  // restarts from now: never shortens the grace
}

TEST(BlobGc, CollectDeletesOnlyExpiredBlobsAndStaleTempFiles) {
  ScratchDir store;
  BlobWriter writer(store.path());
  ASSERT_TRUE(writer.prepare().ok());
  for (const char* s : {"a", "b", "c"}) ASSERT_TRUE(writer.write(hash_bytes(s), s).ok());
  store.write("blobs/00/.tmp.crashed.123.0", "junk");  // an AtomicFile of a dead writer
  const std::string stale_partial = partial_blob_path(store.path(), kC);
  store.write(stale_partial.substr(store.path().size() + 1), "c-part");
  auto r = collect_garbage(store.path(), {kA}, 1000, seconds(60));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->blobs_removed, 0u);
  EXPECT_EQ(r->blobs_waiting, 2u);
  EXPECT_EQ(r->temp_files_removed, 2u);
  EXPECT_FALSE(std::filesystem::exists(stale_partial));
  r = collect_garbage(store.path(), {kA, kC}, 1060, seconds(60));  // c is back in a manifest
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->blobs_removed, 1u);
  EXPECT_TRUE(std::filesystem::exists(blob_path(store.path(), kA)));
  EXPECT_FALSE(std::filesystem::exists(blob_path(store.path(), kB)));
  EXPECT_TRUE(std::filesystem::exists(blob_path(store.path(), kC)));
}

TEST(PartialBlob, AResumedDownloadIsHashedFromItsFirstByte) {
  ScratchDir store;
  ASSERT_TRUE(BlobWriter(store.path()).prepare().ok());
  const std::string bytes = "0123456789abcdef";
  const ContentHash h = hash_bytes(bytes);
  {
    auto p = PartialBlob::open(store.path(), h, bytes.size());
    ASSERT_TRUE(p.ok());
    ASSERT_TRUE(p->append(bytes.substr(0, 7)).ok());
  }  // dropped: kept for a resume
  auto p = PartialBlob::open(store.path(), h, bytes.size());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->size(), 7u);
  ASSERT_TRUE(p->append(bytes.substr(7)).ok());
  EXPECT_TRUE(p->commit().ok());
  EXPECT_EQ(store.read(blob_relative_path(h)), bytes);
}

TEST(PartialBlob, AWrongResumedPrefixFailsVerificationAndIsDeleted) {
  ScratchDir store;
  ASSERT_TRUE(BlobWriter(store.path()).prepare().ok());
  const std::string bytes = "0123456789abcdef";
  const ContentHash h = hash_bytes(bytes);
  store.write(partial_blob_path(store.path(), h).substr(store.path().size() + 1), "XXXXXXX");  // corrupt prefix
  auto p = PartialBlob::open(store.path(), h, bytes.size());
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p->append(bytes.substr(7)).ok());
  Status s = p->commit();
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(std::filesystem::exists(partial_blob_path(store.path(), h)));
  EXPECT_FALSE(std::filesystem::exists(blob_path(store.path(), h)));
}

TEST(PartialBlob, BytesBeyondTheManifestSizeAreRefused) {
  ScratchDir store;
  ASSERT_TRUE(BlobWriter(store.path()).prepare().ok());
  auto p = PartialBlob::open(store.path(), hash_bytes("abc"), 3);
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->append("abcd").ok());
}

}  // namespace
}  // namespace relais
