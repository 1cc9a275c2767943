// Coalesced clients of one cold key at different paces (docs/PULL_THROUGH.md,
// "Waiters at their own pace"): a slow client never holds the others of a
// response being stored (they read the kept body), and one that holds the
// window of a response not stored is cut after pull-lag-timeout. The slow
// client is a socket with a small receive buffer that the test reads only
// after the fast one finished; the slow-reader bound is off, so only the
// behaviour under test can release the fast one. Also here: a waiter that
// leaves, one cut as a slow reader, and one that joins late, none of which
// may break the others' answers.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_pull_fixture.h"

namespace relais::testing {
namespace {

// 12 MiB: more than the kernel's send buffer (at most 4 MiB here), the
// edge's send queue and the 64 KiB window together, so a fast client that
// finishes was not held by the slow one.
const std::string& large_body() {
  static const std::string body(12 << 20, 'v');
  return body;
}

class EdgePullWaiters : public EdgePullBase {
 protected:
  // The origin sends the head and 32 KiB (less than the window: a late
  // client still joins), then waits for the test's release and sends the rest.
  static ScriptedReply paused(ScriptedReply reply) {
    reply.stall_after = reply.bytes.find("\r\n\r\n") + 4 + 32 * 1024;
    reply.resume_after_stall = true;
    return reply;
  }
  // A window far smaller than the body, and no slow-reader cut.
  void start_small_window(const ScriptedOrigin& origin, std::vector<std::string> extra = {}) {
    std::vector<std::string> flags = {"--mode", "pull", "--pull-window", "64K", "--send-min-rate", "0"};
    flags.insert(flags.end(), extra.begin(), extra.end());
    start(origin, flags);
  }
  static constexpr const char* kRequest = "GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n";

  // The slow client asks first (its fetch waits in the paused origin, with
  // `others` more waiters: the store's), the fast one joins that fetch, then
  // the origin sends the rest; returns the fast client's response.
  std::optional<HttpResponse> slow_then_fast(ScriptedOrigin& origin, RawClient& slow, int others) {
    if (!slow.send(kRequest) || await_metric("relais_pull_waiters", 1 + others) < 1 + others) return std::nullopt;
    RawClient fast(edge_.port);
    if (!fast.send(kRequest) || await_metric("relais_pull_waiters", 2 + others) < 2 + others) return std::nullopt;
    origin.release_stalls();
    auto whole = fast.read_response(false, std::chrono::seconds(60));
    if (whole) {
      EXPECT_EQ(whole->status, 200);
      EXPECT_EQ(whole->body.size(), large_body().size());
    }
    return whole;
  }
};

// Found by an outside attack: one client reading at 2.5 KB/s held every
// other client of the key at its pace. A response being stored is read from
// the kept body: the fast client gets all of it while the slow one took
// nothing, then the slow one gets all of it too (after the fetch ended).
TEST_F(EdgePullWaiters, AStoredResponseIsNotHeldBackByASlowClient) {
  ScriptedOrigin origin([&](const ReceivedRequest&) { return paused(cacheable(large_body())); });
  start_small_window(origin);
  RawClient slow(edge_.port, "127.0.0.1", 4096);
  auto whole = slow_then_fast(origin, slow, 1);  // the store's fill waits too
  ASSERT_TRUE(whole);
  EXPECT_NE(whole->header("Cache-Status").find("collapsed"), std::string::npos) << whole->header("Cache-Status");
  auto late = slow.read_response(false, std::chrono::seconds(60));
  ASSERT_TRUE(late);
  EXPECT_EQ(late->status, 200);
  EXPECT_TRUE(late->body == large_body()) << late->header("Cache-Status");
  EXPECT_EQ(origin.requests(), 1);
}

// A response not stored (no-store) keeps the window: a client that holds it
// full while the other waits is cut after pull-lag-timeout (its connection
// reset), and the other gets the whole body.
TEST_F(EdgePullWaiters, AClientHoldingTheWindowOfAResponseNotStoredIsCut) {
  ScriptedOrigin origin([&](const ReceivedRequest&) { return paused(cacheable(large_body(), "no-store")); });
  start_small_window(origin, {"--pull-lag-timeout", "1s"});
  RawClient slow(edge_.port, "127.0.0.1", 4096);
  ASSERT_TRUE(slow_then_fast(origin, slow, 0));  // no store: the fill left at the head
  EXPECT_GE(await_metric("relais_pull_lagged_total", 1), 1);
  std::string got;
  EXPECT_TRUE(slow.wait_closed(std::chrono::seconds(20), &got));
  EXPECT_LT(got.size(), large_body().size());  // cut, never the whole body
  EXPECT_EQ(origin.requests(), 1);
}

TEST_F(EdgePullWaiters, ClientLeavingMidBodyDoesNotBreakTheOtherWaiters) {
  const std::string body(6 << 20, 'b');
  ScriptedOrigin origin([&](const ReceivedRequest&) { return cacheable(body); });
  start(origin);
  // A reader that takes the first bytes and leaves (close with unread data:
  // a reset), and one that reads everything.
  auto leaver = std::make_unique<RawClient>(edge_.port, "127.0.0.1", 4096);
  RawClient reader(edge_.port);
  ASSERT_TRUE(leaver->send("GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  ASSERT_TRUE(reader.send("GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  char some[1024];
  pollfd p{leaver->native_handle(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10'000), 1);
  ASSERT_GT(::recv(leaver->native_handle(), some, sizeof some, 0), 0);
  leaver.reset();
  auto r = reader.read_response(false, std::chrono::seconds(30));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.size(), body.size());
  EXPECT_EQ(origin.requests(), 1);
  // The edge keeps serving: a hit now.
  auto again = get("/big");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body.size(), body.size());
  EXPECT_EQ(origin.requests(), 1);
}

// The slow-reader bound applies to a streamed answer: a client that never
// reads is cut after the grace, and the other waiter of its fetch (reading
// the kept body, not held back by it) gets the whole body.
TEST_F(EdgePullWaiters, SlowReaderIsCutAndReleasesTheOtherWaiters) {
  const std::string body(8 << 20, 's');
  ScriptedOrigin origin([&](const ReceivedRequest&) { return cacheable(body); });
  start(origin, {"--mode", "pull", "--send-min-rate-grace", "1s"});
  RawClient sleeper(edge_.port, "127.0.0.1", 4096);
  RawClient reader(edge_.port);
  ASSERT_TRUE(sleeper.send("GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  ASSERT_TRUE(reader.send("GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  auto r = reader.read_response(false, std::chrono::seconds(30));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body.size(), body.size());
  // Counted before the sleeper reads anything (it would then get it all).
  EXPECT_GE(await_metric("relais_errors_total{kind=\"slow_reader\"}", 1), 1);
  EXPECT_TRUE(sleeper.wait_closed(std::chrono::seconds(20)));
  EXPECT_EQ(origin.requests(), 1);
}

// Bytes received on a raw connection until `want` came or 10 s passed.
std::size_t read_at_least(RawClient& c, std::size_t want) {
  std::size_t got = 0;
  char buffer[65536];
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (got < want && std::chrono::steady_clock::now() < until) {
    pollfd p{c.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, 100) != 1) continue;
    const ssize_t n = ::recv(c.native_handle(), buffer, sizeof buffer, 0);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

// A client that joins a fetch whose head and first 300 KiB already came is
// answered inside the join, more than its send queue takes at once: it must
// be resumed for the rest (regression: its sink was reset after the join, so
// it waited for ever at 256 KiB and held the fetch window for everyone).
TEST_F(EdgePullWaiters, ALateJoinerBeyondItsSendQueueIsResumed) {
  ScriptedReply reply = cacheable(std::string(1 << 20, 'j'));
  const std::size_t head = reply.bytes.find("\r\n\r\n") + 4;
  reply.stall_after = head + 300 * 1024;  // the rest never comes during the test
  ScriptedOrigin origin([&](const ReceivedRequest&) { return reply; });
  start(origin);
  RawClient first(edge_.port);
  ASSERT_TRUE(first.send("GET /late HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  ASSERT_GE(read_at_least(first, 300 * 1024), 300u * 1024) << "the edge has the first 300 KiB";
  RawClient late(edge_.port);
  ASSERT_TRUE(late.send("GET /late HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  EXPECT_GE(read_at_least(late, 300 * 1024 + 200), 300u * 1024 + 200) << "its head and all that came";
  EXPECT_EQ(origin.requests(), 1);
}

}  // namespace
}  // namespace relais::testing
