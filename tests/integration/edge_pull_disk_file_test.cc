// Large disk hits of pulled objects sent from their file (docs/PULL_THROUGH.md,
// "The disk tier", issue 19): a body larger than `memory-object-max` is never
// read into RAM on the worker's loop nor promoted to its table; it is sent as
// a range of the record file, from an fd the response holds. A file found at
// start-up is read through once before its first byte is sent; a cut or
// changed one is never served; one unlinked by a purge or an eviction while a
// client reads it keeps serving that client from the open fd.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_pull_disk_fixture.h"
#include "tests/integration/h2/h2_client.h"

namespace relais::testing {
namespace {

// 12 MiB: more than the kernel's send buffer (at most 4 MiB here) and a 4 KiB
// receive buffer together, so a client that reads nothing leaves most of the
// body in the edge's send queue, as a file segment.
constexpr std::size_t kLarge = 12 * kMiB;

class EdgePullDiskFile : public EdgePullDiskBase {
 protected:
  // A disk hit over 1 MiB is sent from its file; no slow-reader cut (the
  // stalled client below must be released by the test alone).
  std::vector<std::string> flags(std::vector<std::string> extra = {}) const {
    std::vector<std::string> f = {"--mode", "pull", "--memory-object-max", "1M", "--send-min-rate", "0"};
    f.insert(f.end(), extra.begin(), extra.end());
    return f;
  }
  void stored_then_restarted(const ScriptedOrigin& origin, const std::string& path, std::vector<std::string> extra = {}) {
    start(origin, flags(extra));
    auto miss = get(path);
    ASSERT_TRUE(miss);
    ASSERT_EQ(miss->body.size(), kLarge);
    await_writes(1);
    restart(origin, flags(extra));
  }
  static std::string request(const std::string& path) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
  }
};

ScriptedReply large(const std::string& body, const std::string& cache_control = "max-age=3600") {
  return ScriptedReply::ok(body, {"Content-Type: video/mp4", "Cache-Control: " + cache_control, "ETag: \"v1\""});
}

TEST_F(EdgePullDiskFile, Issue19_ALargeDiskHitIsSentFromItsFileByteForByte) {
  const std::string body = counted(kLarge);
  ScriptedOrigin origin([&](const ReceivedRequest&) { return large(body); });
  stored_then_restarted(origin, "/film.mp4");
  auto hit = get("/film.mp4");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->status, 200);
  EXPECT_EQ(hit->header("Content-Length"), std::to_string(kLarge));
  EXPECT_TRUE(hit->body == body) << "the body differs";
  EXPECT_EQ(hit->header("Cache-Status").rfind("relais; hit; ttl=", 0), 0u) << hit->header("Cache-Status");
  // Found at start-up: read through once, then sent from the file; never in RAM.
  EXPECT_EQ(await_metric("relais_pull_disk_file_hits_total", 1), 1);
  EXPECT_EQ(metric(edge_.admin_port, "relais_pull_disk_verified_total"), 1);
  // The worker's gauges are published with its outcome counters: once the hit is, the table's bytes are.
  ASSERT_GE(await_metric("relais_pull_responses_total{outcome=\"hit\"}", 1), 1);
  EXPECT_EQ(metric(edge_.admin_port, "relais_pull_used_bytes"), 0) << "a large disk hit is not promoted to RAM";
  // A Range of it: a range of the same file (RFC 9110 §14.2), the check remembered.
  auto part = get("/film.mp4", {"Range: bytes=5000000-5099999"});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->header("Content-Range"), "bytes 5000000-5099999/" + std::to_string(kLarge));
  EXPECT_TRUE(part->body == body.substr(5000000, 100000)) << "the range differs";
  EXPECT_EQ(await_metric("relais_pull_disk_file_hits_total", 2), 2);
  // Over HTTP/2 the DATA frames are the same file's range (1 MiB of it: the
  // test's HTTP/2 client hands bodies back in hex).
  const H2Response h2 = h2_fetch_one(edge_.port, "GET:/film.mp4|range=bytes=3000000-4048575");
  EXPECT_EQ(h2.status, "206");
  EXPECT_TRUE(h2.body == body.substr(3000000, kMiB)) << "the HTTP/2 body differs";
  EXPECT_EQ(await_metric("relais_pull_disk_file_hits_total", 3), 3);
  EXPECT_EQ(metric(edge_.admin_port, "relais_pull_disk_verified_total"), 1);
  EXPECT_EQ(origin.requests(), 1);
}

// Tampered between the restart and the first request (the start-up scan
// checks only the header and the size): a flipped byte in the body is found
// by the read-through before any byte is sent, a cut file by its size at
// open; both are fetched again, never sent.
TEST_F(EdgePullDiskFile, Issue19_ALargeFileTamperedAfterARestartIsNeverSent) {
  ScriptedOrigin origin([](const ReceivedRequest& r) { return large(r.target + counted(kLarge - r.target.size())); });
  start(origin, flags());
  ASSERT_TRUE(get("/cut"));
  ASSERT_TRUE(get("/flip"));
  await_writes(2);
  restart(origin, flags());
  EXPECT_TRUE(edge_.process->wait_for_stderr_text("2 objects")) << edge_.process->stderr_text();
  const std::filesystem::path cut = file_holding("/cut" + counted(64));
  const std::filesystem::path flip = file_holding("/flip" + counted(64));
  std::filesystem::resize_file(cut, std::filesystem::file_size(cut) - 100);
  {
    std::fstream f(flip, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-(5 << 20), std::ios::end);
    f.put('#');
  }
  for (const std::string path : {"/cut", "/flip"}) {
    auto r = get(path);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->body == path + counted(kLarge - path.size())) << path;
    EXPECT_EQ(r->header("Cache-Status").rfind("relais; fwd=uri-miss", 0), 0u) << path << ": " << r->header("Cache-Status");
  }
  EXPECT_EQ(origin.requests(), 4);
  EXPECT_GE(metric(edge_.admin_port, "relais_pull_disk_rejected_total"), 2);
  EXPECT_EQ(metric(edge_.admin_port, "relais_pull_disk_file_hits_total"), 0);
}

// Written by this process (verified), then cut on disk: refused by its size at open.
TEST_F(EdgePullDiskFile, Issue19_AFileCutAfterThisEdgeWroteItIsRefusedAtOpen) {
  const std::string body = counted(kLarge);
  ScriptedOrigin origin([&](const ReceivedRequest&) { return large(body); });
  start(origin, flags({"--pull-memory", "0"}));  // every hit is a disk hit
  ASSERT_TRUE(get("/film.mp4"));
  await_writes(1);
  auto hit = get("/film.mp4");
  ASSERT_TRUE(hit);
  EXPECT_TRUE(hit->body == body);
  EXPECT_EQ(await_metric("relais_pull_disk_file_hits_total", 1), 1);
  EXPECT_EQ(metric(edge_.admin_port, "relais_pull_disk_verified_total"), 0) << "our own write needs no read-through";
  const std::filesystem::path file = file_holding(body.substr(0, 64));
  std::filesystem::resize_file(file, std::filesystem::file_size(file) - 1);
  auto again = get("/film.mp4");
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->body == body);
  EXPECT_EQ(again->header("Cache-Status").rfind("relais; fwd=uri-miss", 0), 0u) << again->header("Cache-Status");
  EXPECT_EQ(origin.requests(), 2);
}

// A client that reads nothing holds the response; the file is then purged
// (unlinked) and the client reads on: every byte is right (POSIX unlink: the
// open fd still reads the file).
TEST_F(EdgePullDiskFile, Issue19_APurgeWhileAClientIsMidBodyKeepsSendingTheOpenFile) {
  const std::string body = counted(kLarge);
  ScriptedOrigin origin([&](const ReceivedRequest&) { return large(body); });
  stored_then_restarted(origin, "/film.mp4");
  RawClient slow(edge_.port, "127.0.0.1", 4096);
  ASSERT_TRUE(slow.send(request("/film.mp4")));
  // The fd is opened before this counts, in the callback that queues the response.
  ASSERT_EQ(await_metric("relais_pull_disk_file_hits_total", 1), 1);
  auto purged = http_get(edge_.admin_port, "/purge?path=/film.mp4", {"Authorization: Bearer secret-token"}, "POST");
  ASSERT_TRUE(purged);
  EXPECT_EQ(purged->body, "purged 1\n");
  EXPECT_TRUE(pulled_files().empty());
  EXPECT_LT(metric(edge_.admin_port, "relais_sent_bytes_total"), static_cast<double>(kLarge));
  auto whole = slow.read_response(false, std::chrono::seconds(60));
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  EXPECT_TRUE(whole->body == body) << "the body differs after the purge";
  EXPECT_EQ(origin.requests(), 1);
}

// The same with an eviction: another large object stored through a disk of
// 20 MiB unlinks the first one's file while a client reads it.
TEST_F(EdgePullDiskFile, Issue19_AnEvictionWhileAClientIsMidBodyKeepsSendingTheOpenFile) {
  ScriptedOrigin origin([](const ReceivedRequest& r) { return large(r.target + counted(kLarge - r.target.size())); });
  stored_then_restarted(origin, "/first", {"--pull-disk-size", "20M"});
  RawClient slow(edge_.port, "127.0.0.1", 4096);
  ASSERT_TRUE(slow.send(request("/first")));
  ASSERT_EQ(await_metric("relais_pull_disk_file_hits_total", 1), 1);
  ASSERT_TRUE(get("/second"));
  await_writes(1);
  EXPECT_GE(await_metric("relais_pull_disk_evictions_total", 1), 1);
  EXPECT_EQ(pulled_files().size(), 1u);
  auto whole = slow.read_response(false, std::chrono::seconds(60));
  ASSERT_TRUE(whole);
  EXPECT_TRUE(whole->body == "/first" + counted(kLarge - 6)) << "the body differs after the eviction";
  EXPECT_EQ(origin.requests(), 2);
}

// RFC 9111 §4.3.4: a stale large object from the disk is revalidated; the
// freshened record is written again with its body copied from the old file
// (checked on the way), and a restart then serves it fresh, from the file.
TEST_F(EdgePullDiskFile, Issue19_AFreshenedLargeObjectIsRewrittenFromItsFile) {
  const std::string body = counted(kLarge);
  ScriptedOrigin origin([&](const ReceivedRequest& r) {
    if (r.field("If-None-Match") == "\"v1\"")
      return ScriptedReply::ok("", {"ETag: \"v1\"", "Cache-Control: max-age=3600"}, 304);
    return large(body, "max-age=0");
  });
  stored_then_restarted(origin, "/film.mp4");
  auto again = get("/film.mp4");
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->body == body);
  EXPECT_EQ(again->header("Cache-Status").rfind("relais; fwd=stale; fwd-status=304", 0), 0u) << again->header("Cache-Status");
  await_writes(1);  // the freshened copy, its body copied from the old file
  restart(origin, flags());
  auto hit = get("/film.mp4");
  ASSERT_TRUE(hit);
  EXPECT_TRUE(hit->body == body);
  EXPECT_EQ(hit->header("Cache-Status").rfind("relais; hit; ttl=", 0), 0u) << hit->header("Cache-Status");
  EXPECT_EQ(origin.requests(), 2);
}

}  // namespace
}  // namespace relais::testing
