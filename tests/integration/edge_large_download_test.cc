// Large bodies as a pupil downloads them: one client alone, nothing else to
// keep the worker's loop turning. The write-check timer is set far beyond
// each test's deadline (--send-min-rate 0, --send-timeout 10m), so a
// response that waits for a wake-up that never comes is a hang the test
// fails on, not a delay a timing would have to catch.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"

namespace relais::testing {
namespace {

using std::chrono::seconds;

constexpr std::size_t kLarge = 24u << 20;  // 24 write budgets of 1 MiB

std::string random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    std::uint64_t v = rng();
    std::memcpy(&s[i], &v, 8);
  }
  return s;
}

class EdgeLargeDownload : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    files_ = new std::map<std::string, std::string>{
        {"videos/lecon.bin", random_bytes(kLarge, 1)},
        {"index.html", "<!doctype html><p>Cours</p>\n"},
    };
    ASSERT_TRUE(publish_tree(*dir_, *files_));
    edge_ = new RunningEdge(start_edge(*dir_, {"--send-min-rate", "0", "--send-timeout", "600s"}));
    ASSERT_NE(edge_->port, 0);
  }
  static void TearDownTestSuite() {
    delete edge_;
    delete files_;
    delete dir_;
  }
  static std::uint16_t port() { return edge_->port; }
  static const std::string& video() { return files_->at("videos/lecon.bin"); }

  static TempDir* dir_;
  static std::map<std::string, std::string>* files_;
  static RunningEdge* edge_;
};
TempDir* EdgeLargeDownload::dir_ = nullptr;
std::map<std::string, std::string>* EdgeLargeDownload::files_ = nullptr;
RunningEdge* EdgeLargeDownload::edge_ = nullptr;

// Regression: a flush that spent its write budget without filling the socket
// waited for an edge that never came (the 5 s freeze of every large download).
TEST_F(EdgeLargeDownload, OneClientAloneGetsTheWholeFileWithoutATimer) {
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  // Whether a turn ends on EAGAIN or on the budget depends on how fast this
  // client reads: three transfers give the stall three chances to show.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.send("GET /videos/lecon.bin HTTP/1.1\r\nHost: t\r\n\r\n"));
    auto r = client.read_response(false, seconds(60));
    ASSERT_TRUE(r) << "no complete response: transfer " << i << " stalled";
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(r->body == video());
  }
  // The connection is usable for the next request (the write phase ended).
  ASSERT_TRUE(client.send("GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto next = client.read_response(false, seconds(60));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(EdgeLargeDownload, OpenEndedRangeAsVideoPlayersSendIt) {
  RawClient client(port());
  ASSERT_TRUE(client.send("GET /videos/lecon.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=0-\r\n\r\n"));
  auto r = client.read_response(false, seconds(60));
  ASSERT_TRUE(r) << "no complete response: the transfer stalled";
  EXPECT_EQ(r->status, 206);
  EXPECT_TRUE(r->body == video());

  RawClient seek(port());
  ASSERT_TRUE(seek.send("GET /videos/lecon.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=3000000-\r\n\r\n"));
  auto tail = seek.read_response(false, seconds(60));
  ASSERT_TRUE(tail) << "no complete response: the transfer stalled";
  EXPECT_EQ(tail->status, 206);
  EXPECT_TRUE(tail->body == video().substr(3000000));
}

TEST_F(EdgeLargeDownload, SeveralClientsAtOnceAllFinish) {
  constexpr int kClients = 6;
  std::vector<std::thread> threads;
  std::vector<int> ok(kClients, 0);
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      RawClient client(port());
      if (!client.send("GET /videos/lecon.bin HTTP/1.1\r\nHost: t\r\n\r\n")) return;
      auto r = client.read_response(false, seconds(90));
      ok[i] = r && r->status == 200 && r->body == video();
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kClients; ++i) EXPECT_TRUE(ok[i]) << "client " << i << " stalled or got wrong bytes";
}

// File bodies go out with the socket corked from their head to their last
// byte (connection.cc): pipelined responses that alternate heads, file
// bodies, multipart boundaries and a small page must each arrive whole, in
// order, and the connection stay usable.
TEST_F(EdgeLargeDownload, PipelinedFileTextAndMultipartResponsesArriveWhole) {
  RawClient client(port());
  ASSERT_TRUE(client.send(
      "GET /videos/lecon.bin HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /videos/lecon.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=0-2000000,5000000-9000000\r\n\r\n"
      "GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /videos/lecon.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=1000-\r\n\r\n"));
  auto whole = client.read_response(false, seconds(60));
  ASSERT_TRUE(whole) << "first response stalled";
  EXPECT_EQ(whole->status, 200);
  EXPECT_TRUE(whole->body == video());
  auto parts = client.read_response(false, seconds(60));
  ASSERT_TRUE(parts) << "multipart response stalled";
  ASSERT_EQ(parts->status, 206);
  EXPECT_NE(parts->body.find(video().substr(0, 2000001)), std::string::npos);
  EXPECT_NE(parts->body.find(video().substr(5000000, 4000001)), std::string::npos);
  auto page = client.read_response(false, seconds(60));
  ASSERT_TRUE(page) << "page after the multipart response stalled";
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->body, files_->at("index.html"));
  auto tail = client.read_response(false, seconds(60));
  ASSERT_TRUE(tail) << "last response stalled";
  EXPECT_EQ(tail->status, 206);
  EXPECT_TRUE(tail->body == video().substr(1000));
}

// Regression: a blob truncated under its cached descriptor was sent short
// with a 200 (sendfile() returning 0 was taken for a full socket, and the
// worker spun on it). The descriptor's size is checked when it is reused, so
// the same connection gets a 503 before any byte of a body it cannot fill.
// (This test used to wait for a close that only the 60 s keep-alive timeout
// brought, and failed when that raced its own 60 s deadline.)
TEST(EdgeTruncatedBlob, IsRefusedOnTheSameConnectionAndAfter) {
  TempDir dir;
  const std::string bytes = random_bytes(2u << 20, 7);
  ASSERT_TRUE(publish_tree(dir, {{"fiche.pdf", bytes}}));
  RunningEdge edge = start_edge(dir, {"--workers", "1", "--send-min-rate", "0", "--send-timeout", "600s"});
  ASSERT_NE(edge.port, 0);

  RawClient client(edge.port);
  ASSERT_TRUE(client.send("GET /fiche.pdf HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto first = client.read_response(false, seconds(60));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  ASSERT_TRUE(first->body == bytes);
  std::string etag = first->header("ETag");
  ASSERT_GE(etag.size(), 4u);
  etag = etag.substr(1, etag.size() - 2);
  const std::string blob = dir.file("out/blobs/" + etag.substr(0, 2) + "/" + etag);
  ASSERT_TRUE(std::filesystem::exists(blob)) << blob;
  ASSERT_EQ(::truncate(blob.c_str(), 1000000), 0);

  // Same connection: the worker still holds the descriptor it opened.
  ASSERT_TRUE(client.send("GET /fiche.pdf HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto short_blob = client.read_response(false, seconds(60));
  ASSERT_TRUE(short_blob) << "no answer for a truncated blob";
  EXPECT_EQ(short_blob->status, 503) << "a truncated blob cannot fill its Content-Length";
  EXPECT_LT(short_blob->body.size(), 1000u);

  auto again = http_get(edge.port, "/fiche.pdf");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 503);
  // Published once a second.
  EXPECT_EQ(await_metric(edge.admin_port, "relais_blob_errors_total{kind=\"short\"}", 1), 1);
  // The worker is not stuck on the dead response: it answers at once.
  auto page = http_get(edge.port, "/fiche.pdf", {"Range: bytes=0-9"});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 503);
}

}  // namespace
}  // namespace relais::testing
