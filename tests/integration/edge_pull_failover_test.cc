// Several origins per site (docs/PULL_THROUGH.md, "Several origins"): the
// real relais-edge (one worker) in front of scripted origins on 127.0.0.1
// that count their requests. A fetch that fails before a response byte
// reached a client moves on to the next healthy origin, each at most once;
// an origin failing pull-origin-fails times in a row is skipped for
// pull-origin-down-time; coalesced clients share one chain.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"
#include "tests/integration/harness/process.h"
#include "tests/integration/gate.h"
#include "tests/integration/refused_port.h"
#include "tests/unit/upstream/scripted_origin.h"

namespace relais::testing {
namespace {

using upstream::testing::ReceivedRequest;
using upstream::testing::ScriptedOrigin;
using upstream::testing::ScriptedReply;

ScriptedReply answer(const std::string& body) { return ScriptedReply::ok(body, {"Cache-Control: max-age=60"}); }
ScriptedReply unavailable() { return ScriptedReply::ok("busy", {"Cache-Control: no-store"}, 503); }
ScriptedReply dropped() {
  ScriptedReply r = answer("never");
  r.drop_after = 0;  // the request is read (and counted), the connection closed without a byte
  return r;
}

class EdgePullFailover : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(publish_tree(dir_, {{"index.html", "<p>published</p>\n"}})); }

  void start(const std::vector<std::string>& origins, std::vector<std::string> flags = {}) {
    flags.insert(flags.end(), {"--mode", "pull", "--workers", "1", "--address-rate", "0"});
    for (const std::string& url : origins) flags.insert(flags.end(), {"--origin-url", url});
    edge_ = start_edge(dir_, flags);
    ASSERT_NE(edge_.port, 0);
  }

  std::optional<HttpResponse> get(const std::string& path) { return http_get(edge_.port, path); }

  double await_metric(const std::string& series, double min) {
    return relais::testing::await_metric(edge_.admin_port, series, min);
  }

  TempDir dir_;
  RunningEdge edge_;
};

TEST_F(EdgePullFailover, RefusedFirstOriginTheSecondServes) {
  ScriptedOrigin second([](const ReceivedRequest&) { return answer("from the second"); });
  start({refused_url(), second.base_url()});
  auto r = get("/page");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "from the second");
  EXPECT_EQ(second.requests(), 1);
  EXPECT_GE(await_metric("relais_pull_origin_failovers_total", 1), 1);
}

TEST_F(EdgePullFailover, FirstOriginAnswering503TheSecondServes) {
  ScriptedOrigin first([](const ReceivedRequest&) { return unavailable(); });
  ScriptedOrigin second([](const ReceivedRequest&) { return answer("from the second"); });
  start({first.base_url(), second.base_url()});
  auto r = get("/page");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "from the second");
  EXPECT_EQ(first.requests(), 1);
  EXPECT_EQ(second.requests(), 1);
  auto hit = get("/page");  // stored from the second: no origin asked again
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->body, "from the second");
  EXPECT_EQ(first.requests() + second.requests(), 2);
}

// Like nginx's max_fails / fail_timeout: after 2 failures in a row the first
// origin is skipped (its count stops), then tried again once the down time
// has passed (waited for as a condition: its count grows again).
TEST_F(EdgePullFailover, FailingOriginIsSkippedUntilItsDownTimePasses) {
  ScriptedOrigin first([](const ReceivedRequest&) { return unavailable(); });
  ScriptedOrigin second([](const ReceivedRequest&) { return answer("second"); });
  start({first.base_url(), second.base_url()}, {"--pull-origin-fails", "2", "--pull-origin-down-time", "3s"});
  for (const char* path : {"/a", "/b"}) {
    auto r = get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(first.requests(), 2);
  for (const char* path : {"/c", "/d", "/e"}) {
    auto r = get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "second");
  }
  EXPECT_EQ(first.requests(), 2) << "a down origin is skipped";
  EXPECT_EQ(second.requests(), 5);
  EXPECT_GE(await_metric("relais_pull_origins_marked_down_total", 1), 1);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int n = 0;
  while (first.requests() == 2 && std::chrono::steady_clock::now() < until) {
    auto r = get("/later" + std::to_string(++n));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    if (first.requests() == 2) ::poll(nullptr, 0, 50);
  }
  EXPECT_EQ(first.requests(), 3) << "tried again after the down time";
}

// RFC 9111 §4.2.4: once every origin is down, a stale copy allowed on error
// (here by pull-stale-grace) is served at once: the origin is not asked once
// per request to fail again (before: 1 + 8 requests), and the edge says why.
TEST_F(EdgePullFailover, EveryOriginDownStaleCopiesServedWithoutAskingIt) {
  std::atomic<int> asked{0};
  ScriptedOrigin origin([&](const ReceivedRequest&) {
    return ++asked == 1 ? ScriptedReply::ok("lesson", {"Cache-Control: max-age=0"}) : unavailable();
  });
  start({origin.base_url()}, {"--pull-origin-fails", "2", "--pull-origin-down-time", "60s", "--pull-stale-grace", "1h"});
  auto first = get("/lesson");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  // Two revalidations fail (503): stale on error, and the origin is down.
  for (int i = 0; i < 2; ++i) {
    auto r = get("/lesson");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "lesson");
  }
  EXPECT_EQ(origin.requests(), 3);
  for (int i = 0; i < 6; ++i) {
    auto r = get("/lesson");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "lesson");
    EXPECT_NE(r->header("Cache-Status").find("fwd=stale"), std::string::npos) << r->header("Cache-Status");
    EXPECT_NE(r->header("Cache-Status").find("detail=origin-down"), std::string::npos) << r->header("Cache-Status");
    EXPECT_FALSE(r->header("Age").empty());
  }
  EXPECT_EQ(origin.requests(), 3) << "a down origin is not asked for what may be served stale";
  EXPECT_GE(await_metric("relais_pull_responses_total{outcome=\"stale\"}", 8), 8);
  // Without a stale copy it may serve, the request still tries the origin.
  auto cold = get("/cold");
  ASSERT_TRUE(cold);
  EXPECT_EQ(cold->status, 503);
  EXPECT_EQ(origin.requests(), 4);
}

// Every origin fails: each is tried once, and the client gets what the last
// failure means (no head: 502), never an endless chain.
TEST_F(EdgePullFailover, AllOriginsFailingEachIsTriedOnce) {
  ScriptedOrigin first([](const ReceivedRequest&) { return unavailable(); });
  ScriptedOrigin second([](const ReceivedRequest&) { return dropped(); });
  start({first.base_url(), second.base_url(), refused_url()});
  auto r = get("/nowhere");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502) << r->header("Cache-Status");
  EXPECT_EQ(first.requests(), 1);
  EXPECT_EQ(second.requests(), 1);
}

// The last origin times out before its head: 504, each tried once.
TEST_F(EdgePullFailover, AllOriginsFailingLastTimesOutIs504) {
  ScriptedOrigin first([](const ReceivedRequest&) { return dropped(); });
  ScriptedOrigin second([](const ReceivedRequest&) {
    ScriptedReply r = answer("late");
    r.stall_before = true;
    return r;
  });
  start({first.base_url(), second.base_url()}, {"--pull-first-byte-timeout", "300ms"});
  auto r = get("/slow");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504) << r->header("Cache-Status");
  EXPECT_EQ(first.requests(), 1);
  EXPECT_EQ(second.requests(), 1);
  second.release_stalls();
}

// Once the head went to the clients there is no retry: they get the cut
// response, and the second origin is never asked.
TEST_F(EdgePullFailover, NoRetryAfterTheHeadReachedTheClient) {
  ScriptedOrigin first([](const ReceivedRequest&) {
    ScriptedReply r = answer(std::string(100'000, 'h'));
    r.drop_after = r.bytes.size() - 90'000;  // the head and some body, then closed
    return r;
  });
  ScriptedOrigin second([](const ReceivedRequest&) { return answer("second"); });
  start({first.base_url(), second.base_url()});
  RawClient c(edge_.port);
  ASSERT_TRUE(c.send("GET /cut HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  std::string received;
  EXPECT_TRUE(c.wait_closed(std::chrono::seconds(10), &received));
  EXPECT_EQ(received.rfind("HTTP/1.1 200", 0), 0u) << received.substr(0, 200);
  EXPECT_LT(received.size(), 100'000u);
  EXPECT_EQ(first.requests(), 1);
  EXPECT_EQ(second.requests(), 0);
}

// 20 clients on one cold key with the first origin failing: one chain, so
// one request on each origin, and every client gets the second's answer.
TEST_F(EdgePullFailover, CoalescedClientsShareOneChain) {
  const std::string body(100 * 1024, 'c');
  Gate gate;
  ScriptedOrigin first([](const ReceivedRequest&) { return unavailable(); });
  ScriptedOrigin second([&](const ReceivedRequest&) {
    gate.wait();  // until every client waits
    return answer(body);
  });
  start({first.base_url(), second.base_url()});
  constexpr int kClients = 20;
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawClient>(edge_.port));
    ASSERT_TRUE(clients.back()->send("GET /cold HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  }
  EXPECT_GE(await_metric("relais_pull_waiters", kClients + 1), kClients + 1);  // and the store's fill
  gate.open();
  for (auto& c : clients) {
    auto r = c->read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, body);
  }
  EXPECT_EQ(first.requests(), 1);
  EXPECT_EQ(second.requests(), 1);
}

// Per site, in a config file: the section's list, in order.
TEST_F(EdgePullFailover, SiteSectionListsSeveralOrigins) {
  ScriptedOrigin second([](const ReceivedRequest&) { return answer("site second"); });
  dir_.write("edge.conf", "listen = 127.0.0.1:0\nadmin-listen = 127.0.0.1:0\nworkers = 1\naccess-log = off\n"
                          "address-rate = 0\n[site.cms]\nhosts = cms.test\nstore = " + dir_.file("out") +
                          "\nmode = pull\norigin-url = " + refused_url() + "\norigin-url = " + second.base_url() + "\n");
  edge_ = run_edge({RELAIS_EDGE_BIN, "--config", dir_.file("edge.conf")});
  ASSERT_NE(edge_.port, 0);
  RawClient c(edge_.port);
  ASSERT_TRUE(c.send("GET /x HTTP/1.1\r\nHost: cms.test\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "site second");
}

// At most 16 origins (global or per site), no URL twice: exit 2 naming the option.
TEST_F(EdgePullFailover, TooManyOrDuplicateOriginsExit2NamingTheOption) {
  std::vector<std::string> argv{RELAIS_EDGE_BIN, "--check-config", "--store", dir_.file("out"), "--mode", "pull"};
  for (int i = 1; i <= 17; ++i) argv.insert(argv.end(), {"--origin-url", "http://127.0.0.1:" + std::to_string(i)});
  ProcessResult many = run_process(argv);
  EXPECT_EQ(many.exit_code, 2);
  EXPECT_NE(many.err.find("--origin-url: at most 16"), std::string::npos) << many.err;
  ProcessResult twice = run_process({RELAIS_EDGE_BIN, "--check-config", "--store", dir_.file("out"), "--mode", "pull",
                                     "--origin-url", "http://127.0.0.1:1", "--origin-url", "http://127.0.0.1:1"});
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("--origin-url: 'http://127.0.0.1:1' is listed twice"), std::string::npos) << twice.err;
  dir_.write("site.conf", "[site.cms]\nhosts = cms.test\nstore = " + dir_.file("out") +
                          "\nmode = pull\norigin-url = http://127.0.0.1:1\norigin-url = http://127.0.0.1:1\n");
  ProcessResult site = run_process({RELAIS_EDGE_BIN, "--check-config", "--config", dir_.file("site.conf")});
  EXPECT_EQ(site.exit_code, 2);
  EXPECT_NE(site.err.find("--site.cms.origin-url:"), std::string::npos) << site.err;
}

}  // namespace
}  // namespace relais::testing
