// The disk tier of pulled objects end to end (docs/PULL_THROUGH.md, "The disk
// tier"): the real relais-edge in front of a scripted origin that counts its
// requests, restarted on the same store to show what survives.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_pull_disk_fixture.h"
#include "tests/integration/h2/h2_client.h"

namespace relais::testing {
namespace {

using EdgePullDisk = EdgePullDiskBase;

// Stored, then served after a restart with no further origin request (the
// memory tables start empty: the answer came from the disk).
TEST_F(EdgePullDisk, StoredObjectIsServedAfterARestartWithoutTheOrigin) {
  const std::string body(200 * 1024, 'r');
  ScriptedOrigin origin([&](const ReceivedRequest&) { return cacheable(body, "max-age=3600"); });
  start(origin);
  auto miss = get("/big.bin");
  ASSERT_TRUE(miss);
  ASSERT_EQ(miss->body, body);
  await_writes(1);
  restart(origin);
  EXPECT_TRUE(edge_.process->wait_for_stderr_text("1 objects")) << edge_.process->stderr_text();
  auto hit = get("/big.bin");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->status, 200);
  EXPECT_EQ(hit->body, body);
  EXPECT_EQ(hit->header("Content-Type"), "text/plain");
  EXPECT_EQ(hit->header("Cache-Status").rfind("relais; hit; ttl=", 0), 0u) << hit->header("Cache-Status");
  EXPECT_EQ(origin.requests(), 1);
  EXPECT_GE(await_metric("relais_pull_disk_hits_total", 1), 1);
}

// RFC 9111 §4.3: a stale object from the disk is revalidated like one from
// RAM; the 304 freshens it and the freshened head is written again.
TEST_F(EdgePullDisk, StaleDiskObjectIsRevalidatedAndRewritten) {
  ScriptedOrigin origin([](const ReceivedRequest& r) {
    if (r.field("If-None-Match") == "\"v1\"")
      return ScriptedReply::ok("", {"ETag: \"v1\"", "Cache-Control: max-age=0"}, 304);
    return ScriptedReply::ok("versioned body", {"ETag: \"v1\"", "Cache-Control: max-age=0"});
  });
  start(origin);
  ASSERT_TRUE(get("/v"));
  await_writes(1);
  restart(origin);
  auto again = get("/v");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(again->body, "versioned body");
  // ttl is 0 or less: the stored Date is kept (the 304 carries none) and may be a second old.
  EXPECT_EQ(again->header("Cache-Status").rfind("relais; fwd=stale; fwd-status=304; ttl=", 0), 0u)
      << again->header("Cache-Status");
  ASSERT_EQ(origin.requests(), 2);
  EXPECT_EQ(origin.received().back().field("If-None-Match"), "\"v1\"");
  await_writes(1);  // this edge's own write: the freshened copy
  EXPECT_EQ(pulled_files().size(), 1u);
}

// A file cut short, and one with a flipped body byte (its size intact), are
// never served: both are fetched again from the origin.
TEST_F(EdgePullDisk, TruncatedOrTamperedFileIsNotServed) {
  ScriptedOrigin origin([](const ReceivedRequest& r) { return cacheable("body of " + r.target + std::string(4000, '.')); });
  start(origin);
  ASSERT_TRUE(get("/cut"));
  ASSERT_TRUE(get("/flip"));
  await_writes(2);
  edge_.process.reset();
  const std::filesystem::path cut = file_holding("body of /cut");
  const std::filesystem::path flip = file_holding("body of /flip");
  std::filesystem::resize_file(cut, std::filesystem::file_size(cut) - 100);
  {
    std::fstream f(flip, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-10, std::ios::end);
    f.put('X');
  }
  start(origin);
  for (const std::string path : {"/cut", "/flip"}) {
    auto r = get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "body of " + path + std::string(4000, '.'));
    EXPECT_EQ(r->header("Cache-Status").rfind("relais; fwd=uri-miss", 0), 0u) << path << ": " << r->header("Cache-Status");
  }
  EXPECT_EQ(origin.requests(), 4);
}

// A FIFO put in place of a record (found by an outside attack) once blocked
// open(): at start-up the edge never listened, at run time the worker's loop
// stopped, SIGTERM included. Neither is ever read: both are fetched again.
TEST_F(EdgePullDisk, AFifoInPlaceOfARecordNeverBlocksTheEdge) {
  ScriptedOrigin origin([](const ReceivedRequest& r) { return cacheable("body of " + r.target + std::string(4000, '.')); });
  start(origin);
  ASSERT_TRUE(get("/at-start"));
  ASSERT_TRUE(get("/at-run"));
  await_writes(2);
  edge_.process.reset();
  const std::filesystem::path at_start = file_holding("body of /at-start");
  const std::filesystem::path at_run = file_holding("body of /at-run");
  std::filesystem::remove(at_start);
  ASSERT_EQ(::mkfifo(at_start.c_str(), 0644), 0);
  start(origin);  // waits for the edge to listen
  EXPECT_TRUE(edge_.process->wait_for_stderr_text("1 objects")) << edge_.process->stderr_text();
  // After the start-up scan: /at-run is indexed, on disk only (RAM is empty).
  std::filesystem::remove(at_run);
  ASSERT_EQ(::mkfifo(at_run.c_str(), 0644), 0);
  for (const std::string path : {"/at-start", "/at-run"}) {
    auto r = get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->body, "body of " + path + std::string(4000, '.'));
    EXPECT_EQ(r->header("Cache-Status").rfind("relais; fwd=uri-miss", 0), 0u) << path << ": " << r->header("Cache-Status");
  }
  EXPECT_EQ(origin.requests(), 4);
}

TEST_F(EdgePullDisk, EvictionKeepsTheDirectoryUnderPullDiskSize) {
  // Not text: a compressed variant would write its object a second time, and
  // 24 writes would no longer mean the writer is done (the directory read
  // while a file is renamed in and the one it evicts not yet unlinked).
  ScriptedOrigin origin([](const ReceivedRequest& r) {
    return ScriptedReply::ok(r.target + std::string(8000, 'e'),
                             {"Content-Type: application/octet-stream", "Cache-Control: max-age=60"});
  });
  start(origin, {"--mode", "pull", "--pull-disk-size", "64K"});
  for (int i = 0; i < 24; ++i) ASSERT_TRUE(get("/f" + std::to_string(i)));
  await_writes(24);
  EXPECT_LE(pulled_bytes(), 64u * 1024);
  EXPECT_GE(await_metric("relais_pull_disk_evictions_total", 1), 1);
  EXPECT_LE(metric(edge_.admin_port, "relais_pull_disk_used_bytes"), 64 * 1024);
}

TEST_F(EdgePullDisk, PurgeRemovesTheFiles) {
  ScriptedOrigin origin([](const ReceivedRequest& r) { return cacheable("from " + r.target); });
  start(origin);
  ASSERT_TRUE(get("/p"));
  ASSERT_TRUE(get("/kept"));
  await_writes(2);
  auto purged = http_get(edge_.admin_port, "/purge?path=/p", {"Authorization: Bearer secret-token"}, "POST");
  ASSERT_TRUE(purged);
  EXPECT_EQ(purged->body, "purged 1\n");
  ASSERT_EQ(pulled_files().size(), 1u);
  restart(origin);
  auto p = get("/p");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header("Cache-Status").rfind("relais; fwd=uri-miss", 0), 0u) << p->header("Cache-Status");
  auto kept = get("/kept");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->header("Cache-Status").rfind("relais; hit", 0), 0u) << kept->header("Cache-Status");
  EXPECT_EQ(origin.requests(), 3);
}

// With no RAM for pulled objects every hit is a disk hit: over HTTP/1 and
// HTTP/2 the whole body comes back.
TEST_F(EdgePullDisk, DiskHitOverHttp1AndHttp2ReturnsTheWholeBody) {
  std::string body(300 * 1024, 'h');
  for (std::size_t i = 0; i < body.size(); i += 1000) body[i] = static_cast<char>('a' + i % 26);
  ScriptedOrigin origin([&](const ReceivedRequest&) { return cacheable(body, "max-age=3600"); });
  start(origin, {"--mode", "pull", "--pull-memory", "0"});
  ASSERT_TRUE(get("/whole"));
  await_writes(1);
  auto h1 = get("/whole");
  ASSERT_TRUE(h1);
  EXPECT_EQ(h1->status, 200);
  EXPECT_EQ(h1->body, body);
  EXPECT_EQ(h1->header("Cache-Status").rfind("relais; hit", 0), 0u) << h1->header("Cache-Status");
  const H2Response h2 = h2_fetch_one(edge_.port, "GET:/whole");
  EXPECT_EQ(h2.status, "200");
  EXPECT_EQ(h2.body, body);
  EXPECT_EQ(h2.header("content-length"), std::to_string(body.size()));
  EXPECT_EQ(origin.requests(), 1);
  EXPECT_GE(await_metric("relais_pull_disk_hits_total", 2), 2);
}

// A second edge on the same directory runs without a disk tier (and says
// so) rather than evicting the first one's files unseen.
TEST_F(EdgePullDisk, ASecondEdgeOnTheSameDirectoryRunsWithoutIt) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return cacheable("shared"); });
  start(origin);
  RunningEdge second = start_edge(dir_, {"--mode", "pull", "--origin-url", origin.base_url(), "--workers", "1"});
  ASSERT_NE(second.port, 0);
  EXPECT_TRUE(second.process->wait_for_stderr_text("locked by another process")) << second.process->stderr_text();
  auto r = http_get(second.port, "/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "shared");
  EXPECT_EQ(metric(second.admin_port, "relais_pull_disk_objects"), -1) << "no disk tier in the second edge";
}

// The disk's keys name the site: restarted with its [site.*] sections in the
// other order (so the other indexes), each site still gets its own objects,
// from the disk, and the default directory is the first pulling site's STORE/pulled.
TEST_F(EdgePullDisk, SitesKeepTheirOwnObjectsWhenTheirSectionsAreReordered) {
  ScriptedOrigin a([](const ReceivedRequest&) { return cacheable("from a", "max-age=3600"); });
  ScriptedOrigin b([](const ReceivedRequest&) { return cacheable("from b", "max-age=3600"); });
  TempDir other;
  ASSERT_TRUE(publish_tree(other, {{"index.html", "<p>b</p>\n"}}));
  const std::string head = "listen = 127.0.0.1:0\nadmin-listen = 127.0.0.1:0\nworkers = 1\naccess-log = off\n"
                           "address-rate = 0\npull-disk-dir = " + pulled_dir() + "\n";
  const std::string site_a = "[site.a]\nhosts = a.test\nstore = " + dir_.file("out") + "\nmode = pull\norigin-url = " +
                             a.base_url() + "\n";
  const std::string site_b = "[site.b]\nhosts = b.test\nstore = " + other.file("out") + "\nmode = pull\norigin-url = " +
                             b.base_url() + "\n";
  auto ask = [&](const std::string& host) {
    RawClient c(edge_.port);
    EXPECT_TRUE(c.send("GET /x HTTP/1.1\r\nHost: " + host + "\r\n\r\n"));
    auto r = c.read_response();
    return r ? r->body : std::string();
  };
  dir_.write("ab.conf", head + site_a + site_b);
  edge_ = run_edge({RELAIS_EDGE_BIN, "--config", dir_.file("ab.conf")});
  ASSERT_EQ(ask("a.test"), "from a");
  ASSERT_EQ(ask("b.test"), "from b");
  await_writes(2);
  edge_.process.reset();
  dir_.write("ba.conf", head + site_b + site_a);
  edge_ = run_edge({RELAIS_EDGE_BIN, "--config", dir_.file("ba.conf")});
  EXPECT_EQ(ask("a.test"), "from a");
  EXPECT_EQ(ask("b.test"), "from b");
  EXPECT_EQ(a.requests(), 1);
  EXPECT_EQ(b.requests(), 1);
  EXPECT_GE(await_metric("relais_pull_disk_hits_total", 2), 2);
}

// Each worker has a table of its own; the disk tier is what they share. A
// request that lands on the other worker right after a miss finds the object
// still queued for the disk writer (not yet indexed) and costs no second
// origin request (the cache-tests suite's "second request is a hit" cases
// failed with the default worker count). The new connections spread over
// both workers' listeners (SO_REUSEPORT).
TEST_F(EdgePullDisk, Issue19_AnotherWorkerFindsAnObjectJustFetchedBeforeItIsOnDisk) {
  const std::string body(2 << 20, 'w');
  ScriptedOrigin origin([&](const ReceivedRequest&) { return cacheable(body); });
  edge_ = start_edge(dir_, {"--mode", "pull", "--origin-url", origin.base_url(), "--workers", "2", "--address-rate", "0"});
  ASSERT_NE(edge_.port, 0);
  for (int i = 0; i < 16; ++i) {
    auto r = get("/shared");
    ASSERT_TRUE(r) << i;
    ASSERT_EQ(r->body.size(), body.size()) << i;
  }
  EXPECT_EQ(origin.requests(), 1);
}

}  // namespace
}  // namespace relais::testing
