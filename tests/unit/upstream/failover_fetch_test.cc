// FailoverFetch: a failure before the head moves the fetch to the next
// healthy origin (each tried once), a head passed on is never retried, and
// every attempt feeds OriginHealth. Real OriginClient, scripted origins on
// 127.0.0.1, waits with deadlines.
#include "edge/upstream/failover_fetch.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/unit/upstream/event_loop.h"
#include "tests/unit/upstream/recording.h"
#include "tests/unit/upstream/scripted_origin.h"

namespace relais::upstream {
namespace {

using namespace std::chrono_literals;
using testing::EventLoop;
using testing::ReceivedRequest;
using testing::Recorder;
using testing::ScriptedOrigin;
using testing::ScriptedReply;

std::string refused_url() {
  sockaddr_in addr{};
  const int fd = testing::bind_loopback(&addr);
  ::close(fd);  // bound, never listened: nothing there
  return "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
}

ScriptedReply status(int code, const std::string& body = "x") { return ScriptedReply::ok(body, {}, code); }

class FailoverFetchTest : public ::testing::Test {
 protected:
  FailoverFetchTest() {
    settings.first_byte_timeout = 10s;
    settings.between_bytes_timeout = 10s;
  }
  std::unique_ptr<FailoverFetch> fetch(const std::vector<std::string>& urls, Recorder& r,
                                       OriginMethod method = OriginMethod::get) {
    std::vector<OriginTarget> targets;
    for (const std::string& u : urls) targets.push_back({u, "h"});
    OriginRequest req;
    req.path = "/k";
    req.method = method;
    if (method == OriginMethod::post) req.body = "form=1";
    auto f = std::make_unique<FailoverFetch>(client, health, targets, req, r);
    EXPECT_TRUE(f->start().ok());
    return f;
  }
  bool wait(const Recorder& r) { return loop.run_until([&] { return r.finished(); }); }

  EventLoop loop;
  OriginSettings settings;
  OriginClient client{loop.base(), settings};
  OriginHealth health{OriginHealthPolicy{3, 10s}};
};

TEST_F(FailoverFetchTest, RefusedThenTheNextServes) {
  ScriptedOrigin second([](const ReceivedRequest&) { return status(200, "second"); });
  Recorder r;
  auto f = fetch({refused_url(), second.base_url()}, r);
  ASSERT_TRUE(wait(r));
  EXPECT_TRUE(r.done->ok());
  EXPECT_EQ(r.heads, 1);
  EXPECT_EQ(r.body, "second");
  EXPECT_EQ(f->attempts(), 2);
  EXPECT_EQ(health.stats().failovers, 1u);
}

// A POST the first origin may have acted on is never sent to the second.
TEST_F(FailoverFetchTest, APassDroppedOrAnswered503IsNotRetried) {
  ScriptedOrigin dropping([](const ReceivedRequest&) {
    ScriptedReply reply = status(200);
    reply.drop_after = 0;
    return reply;
  });
  ScriptedOrigin busy([](const ReceivedRequest&) { return status(503, "busy"); });
  ScriptedOrigin second([](const ReceivedRequest&) { return status(200, "second"); });
  Recorder dropped;
  auto f = fetch({dropping.base_url(), second.base_url()}, dropped, OriginMethod::post);
  ASSERT_TRUE(wait(dropped));
  EXPECT_FALSE(dropped.done->ok());
  EXPECT_EQ(f->attempts(), 1);
  Recorder answered;
  auto g = fetch({busy.base_url(), second.base_url()}, answered, OriginMethod::post);
  ASSERT_TRUE(wait(answered));
  ASSERT_TRUE(answered.head);
  EXPECT_EQ(answered.head->status, 503);
  EXPECT_EQ(g->attempts(), 1);
  EXPECT_EQ(dropping.requests(), 1);
  ASSERT_EQ(busy.requests(), 1);
  EXPECT_EQ(busy.received()[0].body, "form=1");
  EXPECT_EQ(second.requests(), 0);
}

TEST_F(FailoverFetchTest, APassWhoseConnectionNeverOpenedMovesOn) {
  ScriptedOrigin second([](const ReceivedRequest& req) { return status(200, "second " + req.body); });
  Recorder r;
  auto f = fetch({refused_url(), second.base_url()}, r, OriginMethod::post);
  ASSERT_TRUE(wait(r));
  EXPECT_TRUE(r.done->ok());
  EXPECT_EQ(r.body, "second form=1");
  EXPECT_EQ(f->attempts(), 2);
}

TEST_F(FailoverFetchTest, Status503IsNotPassedOnWhenAnotherOriginIsLeft) {
  ScriptedOrigin first([](const ReceivedRequest&) { return status(503, "busy"); });
  ScriptedOrigin second([](const ReceivedRequest&) { return status(200, "second"); });
  Recorder r;
  auto f = fetch({first.base_url(), second.base_url()}, r);
  ASSERT_TRUE(wait(r));
  EXPECT_EQ(r.heads, 1);
  ASSERT_TRUE(r.head);
  EXPECT_EQ(r.head->status, 200);
  EXPECT_EQ(r.body, "second");
  EXPECT_EQ(first.requests(), 1);
  EXPECT_EQ(second.requests(), 1);
}

TEST_F(FailoverFetchTest, Status500IsTheApplicationsAnswerNoFailover) {
  ScriptedOrigin first([](const ReceivedRequest&) { return status(500, "bug"); });
  ScriptedOrigin second([](const ReceivedRequest&) { return status(200); });
  Recorder r;
  auto f = fetch({first.base_url(), second.base_url()}, r);
  ASSERT_TRUE(wait(r));
  ASSERT_TRUE(r.head);
  EXPECT_EQ(r.head->status, 500);
  EXPECT_EQ(second.requests(), 0);
}

TEST_F(FailoverFetchTest, LastOriginsFailureIsWhatTheHandlerGets) {
  ScriptedOrigin first([](const ReceivedRequest&) { return status(502); });
  ScriptedOrigin second([](const ReceivedRequest&) { return status(503, "last"); });
  Recorder r;
  auto f = fetch({first.base_url(), second.base_url()}, r);
  ASSERT_TRUE(wait(r));
  ASSERT_TRUE(r.head);
  EXPECT_EQ(r.head->status, 503);
  EXPECT_EQ(r.body, "last");
  EXPECT_EQ(first.requests(), 1);
  EXPECT_EQ(second.requests(), 1);
  EXPECT_EQ(f->attempts(), 2);
}

TEST_F(FailoverFetchTest, DroppedBeforeTheHeadEveryOriginOnceThenTheFailure) {
  auto drop = [](const ReceivedRequest&) {
    ScriptedReply r = status(200);
    r.drop_after = 0;
    return r;
  };
  ScriptedOrigin first(drop);
  ScriptedOrigin second(drop);
  Recorder r;
  auto f = fetch({first.base_url(), second.base_url(), refused_url()}, r);
  ASSERT_TRUE(wait(r));
  EXPECT_EQ(r.heads, 0);
  EXPECT_FALSE(r.done->ok());
  EXPECT_EQ(f->attempts(), 3);
  EXPECT_EQ(first.requests(), 1);
  EXPECT_EQ(second.requests(), 1);
}

TEST_F(FailoverFetchTest, NoRetryOnceTheHeadWasPassedOn) {
  ScriptedOrigin first([](const ReceivedRequest&) {
    ScriptedReply r = status(200, std::string(5000, 'a'));
    r.drop_after = r.bytes.size() - 100;
    return r;
  });
  ScriptedOrigin second([](const ReceivedRequest&) { return status(200); });
  Recorder r;
  auto f = fetch({first.base_url(), second.base_url()}, r);
  ASSERT_TRUE(wait(r));
  EXPECT_EQ(r.heads, 1);
  EXPECT_FALSE(r.done->ok());
  EXPECT_EQ(second.requests(), 0);
  EXPECT_EQ(f->attempts(), 1);
}

TEST_F(FailoverFetchTest, FailuresMarkAnOriginDownAndLaterFetchesSkipIt) {
  ScriptedOrigin first([](const ReceivedRequest&) { return status(503); });
  ScriptedOrigin second([](const ReceivedRequest&) { return status(200, "second"); });
  for (int i = 0; i < 4; ++i) {
    Recorder r;
    auto f = fetch({first.base_url(), second.base_url()}, r);
    ASSERT_TRUE(wait(r));
    EXPECT_EQ(r.body, "second");
  }
  EXPECT_EQ(first.requests(), 3);  // max_fails: then skipped
  EXPECT_EQ(second.requests(), 4);
  EXPECT_TRUE(health.down(first.base_url(), OriginHealth::Clock::now()));
  EXPECT_EQ(health.stats().marked_down, 1u);
}

TEST_F(FailoverFetchTest, CancelInsideTheChainStopsIt) {
  ScriptedOrigin second([](const ReceivedRequest&) {
    ScriptedReply r = status(200);
    r.stall_before = true;
    return r;
  });
  Recorder r;
  auto f = fetch({refused_url(), second.base_url()}, r);
  ASSERT_TRUE(loop.run_until([&] { return second.requests() == 1; }));
  EXPECT_TRUE(f->active());
  f.reset();  // cancels the second attempt: no callback
  EXPECT_EQ(client.in_flight(), 0u);
  EXPECT_FALSE(r.finished());
  second.release_stalls();
}

}  // namespace
}  // namespace relais::upstream
