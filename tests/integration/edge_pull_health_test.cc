// Active health checks (docs/PULL_THROUGH.md, "Several origins"): the real
// relais-edge (one worker) probes GET /health on each of two scripted
// origins on 127.0.0.1, which count client requests and probes apart. Every
// wait is on the edge's own log line of a state change or on /metrics, never
// a sleep.
#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"
#include "tests/integration/harness/process.h"
#include "tests/unit/upstream/scripted_origin.h"

namespace relais::testing {
namespace {

using upstream::testing::ReceivedRequest;
using upstream::testing::ScriptedOrigin;
using upstream::testing::ScriptedReply;

// An origin whose /health answers as `health` says, and every other path
// with its name; probes and client requests counted apart.
class ProbedOrigin {
 public:
  enum Health { healthy, unavailable, hanging };

  explicit ProbedOrigin(std::string name, Health health = healthy)
      : name_(std::move(name)), health_(health), origin_([this](const ReceivedRequest& r) { return reply(r); }) {}

  void set(Health health) { health_ = health; }
  std::string url() const { return origin_.base_url(); }
  int probes() const { return probes_.load(); }
  int client_requests() const { return clients_.load(); }

 private:
  ScriptedReply reply(const ReceivedRequest& r) {
    if (r.target != "/health") {
      ++clients_;
      return ScriptedReply::ok("from " + name_, {"Cache-Control: max-age=60"});
    }
    ++probes_;
    switch (health_.load()) {
      case healthy: return ScriptedReply::ok("ok", {"Cache-Control: no-store"});
      case unavailable: return ScriptedReply::ok("down for maintenance", {"Cache-Control: no-store"}, 503);
      case hanging: {
        ScriptedReply stall;
        stall.stall_before = true;  // accepted and read, never answered
        return stall;
      }
    }
    return {};
  }

  std::string name_;
  std::atomic<Health> health_;
  std::atomic<int> probes_{0};
  std::atomic<int> clients_{0};
  ScriptedOrigin origin_;  // last: its threads call reply() until it is gone
};

class EdgePullProbes : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(publish_tree(dir_, {{"index.html", "<p>published</p>\n"}})); }

  void start(const std::vector<std::string>& origins) {
    std::vector<std::string> flags = {"--mode", "pull", "--workers", "1", "--address-rate", "0",
                                      "--pull-health-path", "/health", "--pull-health-interval", "1s",
                                      "--pull-health-timeout", "800ms", "--pull-health-rise", "2"};
    for (const std::string& url : origins) flags.insert(flags.end(), {"--origin-url", url});
    edge_ = start_edge(dir_, flags);
    ASSERT_NE(edge_.port, 0);
  }

  bool await_log(const std::string& text) { return edge_.process->wait_for_stderr_text(text, std::chrono::seconds(10)); }
  std::string up_series(const std::string& url) { return "relais_pull_origin_up{origin=\"" + url + "\"}"; }
  // The series once it is at most `max` (metrics are published once a second), or as it is after 10 s.
  double await_metric_at_most(const std::string& series, double max) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      const double value = metric(edge_.admin_port, series);
      if ((value >= 0 && value <= max) || std::chrono::steady_clock::now() >= until) return value;
      ::poll(nullptr, 0, 20);
    }
  }

  // Client requests for distinct cold paths: each a fetch of its own.
  void expect_served_by(const std::string& name, int count, const std::string& prefix) {
    for (int i = 0; i < count; ++i) {
      auto r = http_get(edge_.port, prefix + std::to_string(i));
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 200);
      EXPECT_EQ(r->body, "from " + name);
    }
  }

  TempDir dir_;
  RunningEdge edge_;
};

// Varnish's probe / nginx's health_check: the first origin's health page
// answers 503, so once a probe saw it, no client request is sent there,
// none waits on it, and no fetch fails over (no client paid for finding it).
TEST_F(EdgePullProbes, AFailedProbeSendsEveryClientToTheNextOrigin) {
  ProbedOrigin first("first", ProbedOrigin::unavailable);
  ProbedOrigin second("second");
  start({first.url(), second.url()});
  ASSERT_TRUE(await_log("origin " + first.url() + " down: health probe GET /health answered 503"))
      << edge_.process->stderr_text();
  expect_served_by("second", 5, "/page-");
  EXPECT_EQ(first.client_requests(), 0);
  EXPECT_EQ(second.client_requests(), 5);
  EXPECT_GE(first.probes(), 1);
  EXPECT_GE(await_metric(edge_.admin_port, "relais_pull_health_probe_failures_total", 1), 1);
  EXPECT_GE(await_metric(edge_.admin_port, up_series(second.url()), 1), 1);
  EXPECT_EQ(await_metric_at_most(up_series(first.url()), 0), 0);
  EXPECT_EQ(metric(edge_.admin_port, "relais_pull_origin_failovers_total"), 0);
}

// HAProxy's rise: the origin is back after `rise` (2) probes in a row pass,
// and clients go to it again (it is first in the list).
TEST_F(EdgePullProbes, AnOriginBackAfterRisePassingProbesServesAgain) {
  ProbedOrigin first("first", ProbedOrigin::unavailable);
  ProbedOrigin second("second");
  start({first.url(), second.url()});
  ASSERT_TRUE(await_log("origin " + first.url() + " down:")) << edge_.process->stderr_text();
  expect_served_by("second", 2, "/before-");
  const int probes_when_healed = first.probes();
  first.set(ProbedOrigin::healthy);
  ASSERT_TRUE(await_log("origin " + first.url() + " up: 2 health probes in a row passed"))
      << edge_.process->stderr_text();
  EXPECT_GE(first.probes(), probes_when_healed + 2);
  expect_served_by("first", 3, "/after-");
  EXPECT_EQ(first.client_requests(), 3);
  EXPECT_EQ(second.client_requests(), 2);
  EXPECT_GE(await_metric(edge_.admin_port, up_series(first.url()), 1), 1);
}

// An origin that accepts the probe and never answers: cut at
// pull-health-timeout (800 ms, far below the fetches' 15 s first-byte
// timeout), counted as a failure, and the origin skipped.
TEST_F(EdgePullProbes, AProbeThatHangsIsCutAtTheTimeoutAndFails) {
  ProbedOrigin first("first", ProbedOrigin::hanging);
  ProbedOrigin second("second");
  start({first.url(), second.url()});
  ASSERT_TRUE(await_log("origin " + first.url() + " down: health probe GET /health no answer within 800 ms"))
      << edge_.process->stderr_text();
  EXPECT_GE(await_metric(edge_.admin_port, "relais_pull_health_probe_failures_total", 1), 1);
  expect_served_by("second", 2, "/page-");
  EXPECT_EQ(first.client_requests(), 0);
}

// Every origin's probe failing: requests behave as without probes (the
// first is tried anyway, then the next), never refused by the health state.
TEST_F(EdgePullProbes, EveryOriginDownTheFirstIsStillTried) {
  ProbedOrigin first("first", ProbedOrigin::unavailable);
  ProbedOrigin second("second", ProbedOrigin::unavailable);
  start({first.url(), second.url()});
  ASSERT_TRUE(await_log("origin " + first.url() + " down:")) << edge_.process->stderr_text();
  ASSERT_TRUE(await_log("origin " + second.url() + " down:")) << edge_.process->stderr_text();
  expect_served_by("first", 1, "/page-");
  EXPECT_EQ(first.client_requests(), 1);
  EXPECT_EQ(second.client_requests(), 0);
}

}  // namespace
}  // namespace relais::testing
