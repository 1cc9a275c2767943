// Slices of large pulled objects on the disk tier (docs/PULL_THROUGH.md,
// "Slices" and "The disk tier"; issue 19): a restarted edge serves a seek
// into an object it already pulled from its disk, without the origin; a bad
// slice record is fetched again; slices count against pull-disk-size; a
// purge takes the slices with the head. Slices of 64 KiB, objects of 1 MiB
// (sliced from 256 KiB): the smallest that keep every case apart.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/integration/edge_pull_disk_fixture.h"

namespace relais::testing {
namespace {

constexpr std::size_t kSlice = 64 * 1024;

// The range that seeks across the boundary of slices 9 and 10.
constexpr std::size_t kFirst = 10 * kSlice - 50;
constexpr std::size_t kLast = 10 * kSlice + 49;

class EdgePullSlicesDisk : public EdgePullDiskBase {
 protected:
  static std::vector<std::string> flags(std::vector<std::string> more = {}) {
    std::vector<std::string> f = {"--mode", "pull", "--pull-slice-size", "64K", "--pull-slice-min", "256K"};
    f.insert(f.end(), more.begin(), more.end());
    return f;
  }

  // The record of slice `index` of /v.mp4 version "v1": its key is in its head.
  std::filesystem::path slice_file(int index) const {
    return file_holding("/v.mp4\n#slice \"v1\" 65536 " + std::to_string(index) + std::string(4, '\0'));
  }

  // The seek of every test: a 206 of those bytes of body.
  void expect_seek(const std::string& body, std::string_view cache_status) {
    auto r = get("/v.mp4", {range_of(kFirst, kLast)});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 206);
    EXPECT_TRUE(r->body == body.substr(kFirst, kLast - kFirst + 1)) << "the bytes differ";
    EXPECT_EQ(r->header("Content-Range"),
              "bytes " + std::to_string(kFirst) + "-" + std::to_string(kLast) + "/" + std::to_string(body.size()));
    EXPECT_EQ(r->header("Cache-Status").rfind(cache_status, 0), 0u) << r->header("Cache-Status");
  }
};

TEST_F(EdgePullSlicesDisk, Issue19_ASeekIsServedFromDiskAfterARestartWithoutTheOrigin) {
  const std::string body = counted(kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, video_fields(), req); });
  start(origin, flags());
  expect_seek(body, "relais; fwd=uri-miss");
  ASSERT_EQ(origin.requests(), 2);  // slices 9 and 10
  await_writes(3);                  // the head and both slices
  restart(origin, flags());
  EXPECT_TRUE(edge_.process->wait_for_stderr_text("3 objects")) << edge_.process->stderr_text();
  expect_seek(body, "relais; hit; ttl=");
  EXPECT_EQ(origin.requests(), 2);
  EXPECT_GE(await_metric("relais_pull_disk_hits_total", 3), 3);
}

// A slice record with a flipped body byte (found at its read: the checksum)
// and one cut short (found by the start-up scan: its size) are never served:
// each is asked again, alone, with the head's ETag in If-Range.
TEST_F(EdgePullSlicesDisk, Issue19_ATamperedOrTruncatedSliceIsFetchedAgain) {
  const std::string body = counted(kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, video_fields(), req); });
  start(origin, flags());
  expect_seek(body, "relais; fwd=uri-miss");
  await_writes(3);
  edge_.process.reset();
  const std::filesystem::path cut = slice_file(9);
  const std::filesystem::path flip = slice_file(10);
  ASSERT_FALSE(cut.empty());
  ASSERT_FALSE(flip.empty());
  std::filesystem::resize_file(cut, std::filesystem::file_size(cut) - 100);
  {
    std::fstream f(flip, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-10, std::ios::end);
    f.put('#');  // counted() bodies are letters only
  }
  start(origin, flags());
  expect_seek(body, "relais; hit; ttl=");  // the head is sound: a hit, its slices fetched
  const std::vector<ReceivedRequest> asked = origin.received();
  ASSERT_EQ(asked.size(), 4u);
  EXPECT_EQ(asked[2].field("Range"), "bytes=589824-655359");
  EXPECT_EQ(asked[3].field("Range"), "bytes=655360-720895");
  EXPECT_EQ(asked[2].field("If-Range"), "\"v1\"");
  EXPECT_EQ(asked[3].field("If-Range"), "\"v1\"");
  EXPECT_GE(await_metric("relais_pull_disk_rejected_total", 1), 1);
}

// Sixteen slices through a disk of 256 KiB: evicted as whole objects are,
// the directory stays under the bound; a later seek is still right (a head
// or slices gone are fetched again).
TEST_F(EdgePullSlicesDisk, Issue19_SlicesStayUnderPullDiskSize) {
  const std::string body = counted(kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, video_fields(), req); });
  const std::vector<std::string> small = flags({"--pull-disk-size", "256K"});
  start(origin, small);
  ASSERT_TRUE(get("/v.mp4", {range_of(0, 9)}));  // makes it sliced
  auto whole = get("/v.mp4");
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  EXPECT_TRUE(whole->body == body) << "the body differs (" << whole->body.size() << " bytes)";
  await_writes(17);  // the head and 16 slices
  EXPECT_LE(pulled_bytes(), 256u * 1024);
  EXPECT_LE(pulled_files().size(), 4u);  // a slice's record is over 64 KiB
  EXPECT_GE(await_metric("relais_pull_disk_evictions_total", 13), 13);
  EXPECT_LE(metric(edge_.admin_port, "relais_pull_disk_used_bytes"), 256 * 1024);
  restart(origin, small);
  expect_seek(body, "relais; ");
}

// A purge takes the slices off the disk with their head; the origin's next
// version (another ETag) is served, its bytes only, also after a restart.
TEST_F(EdgePullSlicesDisk, Issue19_APurgedObjectsSlicesNeverServeItsNextVersion) {
  const std::string v1 = counted(kMiB, 0);
  const std::string v2 = counted(kMiB, 1);
  std::atomic<bool> changed{false};
  ScriptedOrigin origin([&](const ReceivedRequest& req) {
    return changed ? ScriptedReply::ranged(v2, video_fields("\"v2\""), req)
                   : ScriptedReply::ranged(v1, video_fields("\"v1\""), req);
  });
  start(origin, flags());
  expect_seek(v1, "relais; fwd=uri-miss");
  await_writes(3);
  ASSERT_EQ(pulled_files().size(), 3u);
  auto purged = http_get(edge_.admin_port, "/purge?path=/v.mp4", {"Authorization: Bearer secret-token"}, "POST");
  ASSERT_TRUE(purged);
  EXPECT_EQ(purged->body, "purged 3\n");
  EXPECT_EQ(pulled_files().size(), 0u) << "slices left on disk by a purge of their object";
  changed = true;
  expect_seek(v2, "relais; fwd=uri-miss");
  EXPECT_EQ(origin.requests(), 4);
  await_writes(6);
  restart(origin, flags());
  expect_seek(v2, "relais; hit; ttl=");
  EXPECT_EQ(origin.requests(), 4);
}

}  // namespace
}  // namespace relais::testing
