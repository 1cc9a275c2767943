// Pull-through over HTTP/2 (docs/PULL_THROUGH.md): the same answers as over
// HTTP/1 through the same gateway, on streams (session_stream.h): a hit from
// the pulled table, a miss streamed as the origin sends it, coalesced
// streams, a slow reader bounded as over HTTP/1, a cut body reset on its
// stream alone, and the access log's outcome.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_pull_fixture.h"
#include "tests/integration/gate.h"
#include "tests/integration/h2/h2_client.h"

namespace relais::testing {
namespace {

class EdgePullH2 : public EdgePullBase {};

// An origin whose answers wait until open() (bounded: 10 s), so that every
// client of a test is waiting on the fetch first.
class HeldOrigin {
 public:
  explicit HeldOrigin(std::string body)
      : body_(std::move(body)), origin_([this](const ReceivedRequest&) {
          gate_.wait();
          return cacheable(body_);
        }) {}
  void open() { gate_.open(); }
  ScriptedOrigin& origin() { return origin_; }

 private:
  std::string body_;
  Gate gate_;
  ScriptedOrigin origin_;
};

TEST_F(EdgePullH2, Rfc9111_S3_MissThenHitOverHttp2) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return cacheable("hello over h2"); });
  start(origin);
  const H2Response miss = h2_fetch_one(edge_.port, "GET:/page.txt");
  EXPECT_EQ(miss.status, "200");
  EXPECT_EQ(miss.body, "hello over h2");
  EXPECT_EQ(miss.header("content-type"), "text/plain");  // the origin's fields, in lower case (RFC 9113 §8.2.1)
  EXPECT_EQ(miss.header("content-length"), "13");
  EXPECT_EQ(miss.header("cache-status"), "relais; fwd=uri-miss; fwd-status=200");
  EXPECT_NE(miss.header("age"), "");
  const H2Response hit = h2_fetch_one(edge_.port, "GET:/page.txt");
  EXPECT_EQ(hit.status, "200");
  EXPECT_EQ(hit.body, "hello over h2");
  EXPECT_EQ(hit.header("cache-status").rfind("relais; hit; ttl=", 0), 0u) << hit.header("cache-status");
  EXPECT_NE(hit.header("age"), "");  // RFC 9111 §5.1
  EXPECT_EQ(origin.requests(), 1);
}

// The miss is streamed: the client has the body's start while the origin
// still holds the rest (it stalls after 64 KiB of a 256 KiB body).
TEST_F(EdgePullH2, Rfc9111_S4_MissIsStreamedBeforeTheOriginEnds) {
  ScriptedReply reply = cacheable(std::string(256 * 1024, 'm'));
  reply.stall_after = reply.bytes.find("\r\n\r\n") + 4 + 64 * 1024;
  ScriptedOrigin origin([&](const ReceivedRequest&) { return reply; });
  start(origin);
  const ProcessResult r = run_h2_client({"partial", std::to_string(edge_.port), "/streamed", "32768"});
  const std::vector<H2Response> got = parse_h2_responses(r.out, 1);
  EXPECT_EQ(got[0].status, "200") << r.out.substr(0, 2000);
  EXPECT_GE(got[0].body.size(), 32768u);
  EXPECT_EQ(got[0].header("content-length"), std::to_string(256 * 1024));
  EXPECT_EQ(fact(r.out, "partial_done"), "False") << "the answer came before the origin's last byte";
  origin.release_stalls();
  EXPECT_EQ(origin.requests(), 1);
}

TEST_F(EdgePullH2, Rfc9111_S4_FiftyStreamsCoalesceIntoOneOriginFetch) {
  const std::string body(100 * 1024, 'c');
  HeldOrigin held(body);
  start(held.origin());
  constexpr int kStreams = 50;
  std::vector<H2Response> got;
  std::thread client([&] { got = h2_fetch(edge_.port, std::vector<std::string>(kStreams, "GET:/cold")); });
  // 50 streams and the table's fill wait on one fetch.
  EXPECT_GE(await_metric("relais_pull_waiters", kStreams + 1), kStreams + 1);
  held.open();
  client.join();
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kStreams));
  for (const H2Response& r : got) {
    EXPECT_EQ(r.status, "200");
    EXPECT_EQ(r.body.size(), body.size());
  }
  EXPECT_EQ(held.origin().requests(), 1);
}

// Flow control bounds a pulled body as over HTTP/1: an HTTP/2 client that
// opens every window and never reads holds at most its connection's share
// (then the fetch window), is cut as a slow reader, and the HTTP/1 client on
// the same fetch gets the whole body.
TEST_F(EdgePullH2, SlowHttp2ReaderIsCutAndReleasesTheOtherWaiters) {
  const std::string body(8 << 20, 's');
  HeldOrigin held(body);
  start(held.origin(), {"--mode", "pull", "--send-min-rate-grace", "1s"});
  ProcessResult slow;
  std::thread sleeper([&] { slow = run_h2_client({"attack", std::to_string(edge_.port), "slow-reader"}); });
  RawClient reader(edge_.port);
  ASSERT_TRUE(reader.send("GET /videos/big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  // Its three streams, the HTTP/1 reader and the fill.
  EXPECT_GE(await_metric("relais_pull_waiters", 5), 5);
  held.open();
  auto r = reader.read_response(false, std::chrono::seconds(30));
  sleeper.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body.size(), body.size());
  EXPECT_EQ(fact(slow.out, "slow_reader_cut"), "True") << slow.out;
  EXPECT_GE(metric(edge_.admin_port, "relais_errors_total{kind=\"send_timeout\"}") +
                metric(edge_.admin_port, "relais_errors_total{kind=\"slow_reader\"}"), 1);
  EXPECT_EQ(held.origin().requests(), 1);
}

// A body the origin cuts after its head is reset on its stream (never ended
// as if whole); the connection's other streams go on.
TEST_F(EdgePullH2, CutOriginBodyResetsItsStreamOnly) {
  ScriptedOrigin origin([](const ReceivedRequest& req) {
    ScriptedReply reply = cacheable(std::string(10000, req.target == "/cut" ? 'x' : 'y'));
    if (req.target == "/cut") reply.drop_after = reply.bytes.find("\r\n\r\n") + 4 + 1000;
    return reply;
  });
  start(origin);
  const ProcessResult r = run_h2_client({"fetch", std::to_string(edge_.port), "GET:/cut", "GET:/whole"});
  const std::vector<H2Response> got = parse_h2_responses(r.out, 2);
  EXPECT_LT(got[0].body.size(), 10000u);
  EXPECT_NE(r.out.find("reset 0 2"), std::string::npos) << "RST_STREAM(INTERNAL_ERROR)\n" << r.out.substr(0, 2000);
  EXPECT_EQ(got[1].status, "200");
  EXPECT_EQ(got[1].body, std::string(10000, 'y'));
}

TEST_F(EdgePullH2, AccessLogShowsTheCacheOutcomeOfAStream) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return cacheable("logged"); });
  start(origin, {"--mode", "pull", "--access-log", dir_.file("access.log")});
  ASSERT_EQ(h2_fetch_one(edge_.port, "GET:/logged").status, "200");
  ASSERT_EQ(h2_fetch_one(edge_.port, "GET:/logged").status, "200");
  const std::string log = await_log("pull-hit");
  EXPECT_NE(log.find("\"GET /logged HTTP/2.0\" 200 6 \"-\" \"-\" pull-miss"), std::string::npos) << log;
  EXPECT_NE(log.find("\"GET /logged HTTP/2.0\" 200 6 \"-\" \"-\" pull-hit"), std::string::npos) << log;
}

}  // namespace
}  // namespace relais::testing
