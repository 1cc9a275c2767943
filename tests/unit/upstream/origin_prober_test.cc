// OriginProber: probes on the event loop feed OriginHealth (one failure
// down, `rise` passes up), a hanging probe is cut at its own timeout, a large
// body is cut (kMaxProbeBodyBytes) with the head's verdict kept and the next
// probes going on, and stop() ends the probes. Real OriginClient, scripted origins on 127.0.0.1, waits
// with deadlines (the loop runs until a condition holds).
#include "edge/upstream/origin_prober.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <vector>

#include "tests/unit/upstream/event_loop.h"
#include "tests/unit/upstream/scripted_origin.h"

namespace relais::upstream {
namespace {

using namespace std::chrono_literals;
using testing::EventLoop;
using testing::ReceivedRequest;
using testing::ScriptedOrigin;
using testing::ScriptedReply;

class OriginProberTest : public ::testing::Test {
 protected:
  // A timeout far above what an answer takes under ASan on a loaded machine
  // (30 ms failed there), so only the hanging origin's probes time out: that
  // test passes its own. The timeout must stay below the interval.
  std::unique_ptr<OriginProber> prober(const std::vector<std::string>& urls,
                                       std::chrono::milliseconds timeout = 400ms,
                                       std::chrono::milliseconds interval = 500ms) {
    std::vector<OriginTarget> targets;
    for (const std::string& u : urls) targets.push_back({u, "h"});
    ProbeSettings s;
    s.path = "/health";
    s.interval = interval;
    s.timeout = timeout;
    return std::make_unique<OriginProber>(client, health, s, targets,
                                          [this](std::string_view line) { log.emplace_back(line); }, 1);
  }

  EventLoop loop;
  OriginClient client{loop.base(), OriginSettings{}};
  OriginHealth health{OriginHealthPolicy{3, 10s, 2}};
  std::vector<std::string> log;
};

TEST_F(OriginProberTest, AFailedProbeMarksDownAndRisePassesBringItBack) {
  std::atomic<int> status{503};
  ScriptedOrigin origin([&](const ReceivedRequest& r) {
    EXPECT_EQ(r.target, "/health");
    EXPECT_EQ(r.method, "GET");
    return ScriptedReply::ok("x", {}, status.load());
  });
  auto p = prober({origin.base_url()});
  const auto now = OriginHealth::Clock::now();
  ASSERT_TRUE(loop.run_until([&] { return health.down(origin.base_url(), now); }));
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("down: health probe GET /health answered 503"), std::string::npos) << log[0];
  const std::uint64_t failed = p->stats().failed;
  EXPECT_GE(failed, 1u);
  status = 302;  // a redirect passes: the origin answers
  ASSERT_TRUE(loop.run_until([&] { return !health.down(origin.base_url(), now); }));
  ASSERT_EQ(log.size(), 2u);
  EXPECT_NE(log[1].find("up: 2 health probes in a row passed (answered 302)"), std::string::npos) << log[1];
  EXPECT_GE(origin.requests(), 3);
  EXPECT_GE(p->stats().sent, p->stats().failed + 2);
}

TEST_F(OriginProberTest, AHangingProbeIsCutAtItsTimeoutAndFails) {
  ScriptedOrigin origin([](const ReceivedRequest&) {
    ScriptedReply r;
    r.stall_before = true;
    return r;
  });
  auto p = prober({origin.base_url()}, 30ms, 50ms);
  ASSERT_TRUE(loop.run_until([&] { return p->stats().failed >= 1; }));
  EXPECT_TRUE(health.probed_down(origin.base_url()));
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("no answer within 30 ms"), std::string::npos) << log[0];
}

TEST_F(OriginProberTest, ARefusedConnectionFails) {
  sockaddr_in addr{};
  const int fd = testing::bind_loopback(&addr);  // bound, never listened: refused
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  auto p = prober({url});
  ASSERT_TRUE(loop.run_until([&] { return health.probed_down(url); }));
  EXPECT_NE(log.at(0).find("connect"), std::string::npos) << log[0];
  ::close(fd);
}

TEST_F(OriginProberTest, ALargeBodyIsCutAndTheHeadDecides) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return ScriptedReply::ok(std::string(1 << 20, 'x')); });
  auto p = prober({origin.base_url()});
  ASSERT_TRUE(loop.run_until([&] { return p->stats().sent >= 3; }));
  EXPECT_EQ(p->stats().failed, 0u);
  EXPECT_FALSE(health.probed_down(origin.base_url()));
}

TEST_F(OriginProberTest, StopEndsTheProbes) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return ScriptedReply::ok("ok"); });
  auto p = prober({origin.base_url()}, 40ms, 50ms);  // passes or not, only the count matters here
  ASSERT_TRUE(loop.run_until([&] { return p->stats().sent >= 1; }));
  p->stop();
  const std::uint64_t sent = p->stats().sent;
  // Four intervals with nothing pending on the prober's side.
  bool later = false;
  loop.run_until([&] { return later; }, 200ms);
  EXPECT_EQ(p->stats().sent, sent);
  EXPECT_EQ(client.in_flight(), 0u);
}

}  // namespace
}  // namespace relais::upstream
