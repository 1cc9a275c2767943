// Coalesced clients of one cold key at different paces (docs/PULL_THROUGH.md,
// "Waiters at their own pace"): a slow client never holds the others of a
// response being stored (they read the kept body), and one that holds the
// window of a response not stored is cut after pull-lag-timeout. The slow
// client is a socket with a small receive buffer that the test reads only
// after the fast one finished; the slow-reader bound is off, so only the
// behaviour under test can release the fast one.
#include <gtest/gtest.h>

#include <chrono>
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

}  // namespace
}  // namespace relais::testing
