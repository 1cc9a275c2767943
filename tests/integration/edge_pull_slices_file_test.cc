// Slices read from their files, and what slow readers of slices hold
// (docs/PULL_THROUGH.md, "Slices" and "The disk tier"; issue 19). A slice on
// disk larger than `memory-object-max` (or than the table) is never read
// whole on the worker's loop: its reader takes it a chunk at a time from the
// record file, checked once after a restart before its first byte is sent.
// A client that stalls holds no slice body once its slice is stored (an
// outside attack: 100 stalled clients each on its own 1 MiB slice pinned
// 163 MiB beside a 32 MB pull-memory), shown by relais_pull_held_bytes.
#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_pull_disk_fixture.h"

namespace relais::testing {
namespace {

constexpr std::size_t kSlice = 64 * 1024;
constexpr std::size_t kFirst = 10 * kSlice - 50;
constexpr std::size_t kLast = 10 * kSlice + 49;

using EdgePullSlicesFile = EdgePullDiskBase;

// Slices of 64 KiB over a memory-object-max of 32 KiB: each slice read from
// disk stays in its file. After a restart slice 10's record has a flipped
// body byte: slice 9 is read through once and sent from its file, slice 10
// is refused and asked again; the seek is right byte for byte.
TEST_F(EdgePullSlicesFile, Issue19_ASeekAfterARestartIsSentFromTheSlicesFiles) {
  const std::string body = counted(kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, video_fields(), req); });
  const std::vector<std::string> flags = {"--mode",           "pull", "--pull-slice-size",  "64K", "--pull-slice-min",
                                          "256K",             "--memory-object-max", "32K"};
  start(origin, flags);
  ASSERT_TRUE(get("/v.mp4", {range_of(kFirst, kLast)}));
  ASSERT_EQ(origin.requests(), 2);
  await_writes(3);
  restart(origin, flags);
  EXPECT_TRUE(edge_.process->wait_for_stderr_text("3 objects")) << edge_.process->stderr_text();
  const std::filesystem::path flip = file_holding("/v.mp4\n#slice \"v1\" 65536 10" + std::string(4, '\0'));
  ASSERT_FALSE(flip.empty());
  {
    std::fstream f(flip, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-1000, std::ios::end);
    f.put('#');  // counted() bodies are letters only
  }
  auto r = get("/v.mp4", {range_of(kFirst, kLast)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_TRUE(r->body == body.substr(kFirst, kLast - kFirst + 1)) << "the bytes differ";
  EXPECT_EQ(r->header("Cache-Status").rfind("relais; hit; ttl=", 0), 0u) << r->header("Cache-Status");
  ASSERT_EQ(origin.requests(), 3);
  EXPECT_EQ(origin.received().back().field("Range"), "bytes=655360-720895");
  EXPECT_EQ(await_metric("relais_pull_disk_file_hits_total", 1), 1);  // slice 9
  EXPECT_EQ(metric(edge_.admin_port, "relais_pull_disk_verified_total"), 1);
  EXPECT_GE(metric(edge_.admin_port, "relais_pull_disk_rejected_total"), 1);  // slice 10
}

// Four clients, each asking its own 8 MiB slice of a 40 MiB object, read
// nothing (4 KiB receive buffers, no slow-reader cut), beside a pull-memory
// of 512 KiB. (8 MiB: more than the kernel's send buffer, at most 4 MiB
// here, and the edge's send queue together: the readers really stall.) Once every slice is stored, the fetches hold no body for them
// (before, each stalled reader kept its slice's fetch body alive), and each
// client then reads its whole slice from the disk, right byte for byte.
TEST_F(EdgePullSlicesFile, Issue19_StalledReadersOfSlicesHoldNoBodyOnceTheSlicesAreStored) {
  constexpr int kClients = 4;
  constexpr std::size_t kBig = 8 * kMiB;
  const std::string body = counted(5 * kBig);
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, video_fields(), req); });
  start(origin, {"--mode", "pull", "--pull-slice-size", "8M", "--pull-slice-min", "16M", "--pull-memory", "512K",
                 "--send-min-rate", "0"});
  // The head first, so that each client then asks only its own slice.
  ASSERT_TRUE(get("/v.mp4", {range_of(0, 0)}));
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 1; i <= kClients; ++i) {
    clients.push_back(std::make_unique<RawClient>(edge_.port, "127.0.0.1", 4096));
    const std::size_t first = static_cast<std::size_t>(i) * kBig;
    ASSERT_TRUE(clients.back()->send("GET /v.mp4 HTTP/1.1\r\nHost: localhost\r\n" + range_of(first, first + kBig - 1) +
                                     "\r\n\r\n"));
  }
  await_writes(1 + 1 + kClients);  // the head, slice 0, and each client's slice
  EXPECT_LT(metric(edge_.admin_port, "relais_sent_bytes_total"), static_cast<double>(kClients * kBig))
      << "the clients were meant to stall";
  // Published once a second: waited for, up to 10 s.
  double held = -1;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((held = metric(edge_.admin_port, "relais_pull_held_bytes")) != 0 && std::chrono::steady_clock::now() < until)
    ::poll(nullptr, 0, 50);
  EXPECT_EQ(held, 0) << "stalled readers still hold their slices' bodies";
  EXPECT_LE(metric(edge_.admin_port, "relais_pull_used_bytes"), 512 * 1024);
  for (int i = 1; i <= kClients; ++i) {
    auto r = clients[static_cast<std::size_t>(i - 1)]->read_response(false, std::chrono::seconds(60));
    ASSERT_TRUE(r) << "client " << i;
    EXPECT_EQ(r->status, 206);
    EXPECT_TRUE(r->body == body.substr(static_cast<std::size_t>(i) * kBig, kBig)) << "client " << i;
  }
  EXPECT_EQ(origin.requests(), 1 + kClients);
}

}  // namespace
}  // namespace relais::testing
