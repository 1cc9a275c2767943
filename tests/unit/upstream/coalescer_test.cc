// Coalescing: one origin fetch per key in flight, every waiter streamed the
// body as it arrives, a bounded window held back by the slowest waiter (in
// time too: the lag timeout), a kept body that frees the fetch from it,
// cancellation when everyone leaves, bounds on keys. Real OriginClient,
// scripted origin on 127.0.0.1, waits with deadlines.
#include "edge/upstream/coalescer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>

#include "tests/unit/upstream/event_loop.h"
#include "tests/unit/upstream/recording.h"
#include "tests/unit/upstream/scripted_origin.h"

namespace relais::upstream {
namespace {

using namespace std::chrono_literals;
using testing::EventLoop;
using testing::Waiter;
using testing::ReceivedRequest;
using testing::ScriptedOrigin;
using testing::ScriptedReply;

OriginSettings settings() {
  OriginSettings s;
  s.first_byte_timeout = 10s;
  s.between_bytes_timeout = 10s;
  return s;
}

class CoalescerTest : public ::testing::Test {
 protected:
  JoinResult join(ScriptedOrigin& origin, FetchWaiter& w, const std::string& key = "k", Coalescer* c = nullptr) {
    OriginRequest req;
    req.path = "/" + key;
    return (c ? *c : coalescer).join(key, {origin.base_url(), "h"}, req, w);
  }
  bool all_done(const std::vector<std::unique_ptr<Waiter>>& ws) {
    return loop.run_until([&] { return std::all_of(ws.begin(), ws.end(), [](const auto& w) { return w->done.has_value(); }); });
  }

  EventLoop loop;
  OriginClient client{loop.base(), settings()};
  Coalescer coalescer{client, CoalescerSettings{}};
};

TEST_F(CoalescerTest, ManyWaitersOneOriginFetch) {
  const std::string body(300000, 'q');
  ScriptedOrigin origin([&](const ReceivedRequest&) { return ScriptedReply::ok(body); });
  std::vector<std::unique_ptr<Waiter>> ws;
  for (int i = 0; i < 50; ++i) {
    ws.push_back(std::make_unique<Waiter>());
    const JoinResult j = join(origin, *ws.back());
    ASSERT_NE(j.id, 0u);
    EXPECT_EQ(j.collapsed, i > 0);
  }
  ASSERT_TRUE(all_done(ws));
  for (const auto& w : ws) {
    EXPECT_TRUE(w->done->ok());
    EXPECT_EQ(w->head->status, 200);
    EXPECT_EQ(w->body.size(), body.size());
  }
  EXPECT_EQ(origin.requests(), 1);
  EXPECT_EQ(coalescer.keys_in_flight(), 0u);
  EXPECT_EQ(coalescer.waiters(), 0u);
}

TEST_F(CoalescerTest, WaitersGetBytesBeforeTheFetchEnds) {
  const std::string body(100000, 'b');
  ScriptedOrigin origin([&](const ReceivedRequest&) {
    ScriptedReply r = ScriptedReply::ok(body);
    r.stall_after = r.bytes.size() - 40000;  // 60000 body bytes, then the origin stalls
    return r;
  });
  Waiter a, b;
  join(origin, a);
  join(origin, b);
  ASSERT_TRUE(loop.run_until([&] { return a.body.size() == 60000 && b.body.size() == 60000; }));
  EXPECT_FALSE(a.done);
  EXPECT_FALSE(b.done);
  origin.release_stalls();  // the origin then closes: a truncated response for both
  ASSERT_TRUE(loop.run_until([&] { return a.done && b.done; }));
  EXPECT_EQ(a.done->failure, FetchFailure::dropped);
  EXPECT_EQ(b.done->failure, FetchFailure::dropped);
}

TEST_F(CoalescerTest, LateJoinerGetsTheWholeBody) {
  const std::string body(50000, 'l');
  ScriptedOrigin origin([&](const ReceivedRequest&) {
    ScriptedReply r = ScriptedReply::ok(body);
    r.stall_after = r.bytes.size() - 10000;
    return r;
  });
  Waiter first;
  join(origin, first);
  ASSERT_TRUE(loop.run_until([&] { return first.body.size() == 40000; }));
  Waiter late;
  const JoinResult j = join(origin, late);
  EXPECT_TRUE(j.collapsed);
  EXPECT_EQ(late.head->status, 200);          // the head, at once
  EXPECT_EQ(late.body.size(), 40000u);   // and everything so far
  EXPECT_EQ(origin.requests(), 1);
}

TEST_F(CoalescerTest, SlowWaiterHoldsTheWindowNotTheOthersForever) {
  CoalescerSettings cs;
  cs.max_window_bytes = 64 * 1024;
  Coalescer small(client, cs);
  const std::string body(1 << 20, 'w');
  ScriptedOrigin origin([&](const ReceivedRequest&) { return ScriptedReply::ok(body); });
  Waiter fast, slow;
  slow.room = 0;
  join(origin, fast, "k", &small);
  const JoinResult s = join(origin, slow, "k", &small);
  // The fast one gets at most a window ahead of the slow one, then the origin waits.
  ASSERT_TRUE(loop.run_until([&] { return fast.body.size() >= 32 * 1024; }));
  ASSERT_TRUE(loop.run_until([&] { return client.paused(1) || client.buffered(1) > 0; }));
  EXPECT_LE(fast.body.size(), cs.max_window_bytes);
  slow.room = Waiter::kUnlimited;
  small.resume(s.id);
  ASSERT_TRUE(loop.run_until([&] { return fast.done && slow.done; }));
  EXPECT_TRUE(fast.done->ok());
  EXPECT_EQ(fast.body, body);
  EXPECT_EQ(slow.body, body);
}

TEST_F(CoalescerTest, LateJoinAfterTheWindowSlidIsRefused) {
  CoalescerSettings cs;
  cs.max_window_bytes = 32 * 1024;
  Coalescer small(client, cs);
  const std::string body(200000, 's');
  ScriptedOrigin origin([&](const ReceivedRequest&) {
    ScriptedReply r = ScriptedReply::ok(body);
    r.stall_after = r.bytes.size() - 1000;
    return r;
  });
  Waiter first;
  join(origin, first, "k", &small);
  ASSERT_TRUE(loop.run_until([&] { return first.body.size() == body.size() - 1000; }));
  Waiter late;
  EXPECT_EQ(join(origin, late, "k", &small).refusal, JoinRefusal::late);
}

TEST_F(CoalescerTest, EveryoneLeavingCancelsTheFetch) {
  ScriptedOrigin origin([](const ReceivedRequest&) {
    ScriptedReply r = ScriptedReply::ok("x");
    r.stall_before = true;
    return r;
  });
  Waiter a, b;
  const JoinResult ja = join(origin, a);
  const JoinResult jb = join(origin, b);
  ASSERT_TRUE(loop.run_until([&] { return origin.requests() == 1; }));
  coalescer.leave(ja.id);
  EXPECT_EQ(client.in_flight(), 1u);
  coalescer.leave(jb.id);
  EXPECT_EQ(client.in_flight(), 0u);
  EXPECT_EQ(coalescer.keys_in_flight(), 0u);
  EXPECT_FALSE(a.done);
  EXPECT_FALSE(b.done);
  Waiter again;
  EXPECT_FALSE(join(origin, again).collapsed);  // a new fetch
}

TEST_F(CoalescerTest, LeavingFromInsideOnBodyIsSafe) {
  const std::string body(200000, 'x');
  ScriptedOrigin origin([&](const ReceivedRequest&) { return ScriptedReply::ok(body); });
  Waiter quitter, stayer;
  JoinResult jq = join(origin, quitter);
  join(origin, stayer);
  quitter.on_body_hook = [&] { coalescer.leave(jq.id); };
  ASSERT_TRUE(loop.run_until([&] { return stayer.done.has_value(); }));
  EXPECT_TRUE(stayer.done->ok());
  EXPECT_EQ(stayer.body, body);
  EXPECT_FALSE(quitter.done);
}

TEST_F(CoalescerTest, FailureBeforeTheHeadReachesEveryWaiter) {
  OriginSettings s = settings();
  s.first_byte_timeout = 300ms;
  OriginClient impatient(loop.base(), s);
  Coalescer c(impatient, CoalescerSettings{});
  ScriptedOrigin origin([](const ReceivedRequest&) {
    ScriptedReply r = ScriptedReply::ok("x");
    r.stall_before = true;
    return r;
  });
  std::vector<std::unique_ptr<Waiter>> ws;
  for (int i = 0; i < 3; ++i) {
    ws.push_back(std::make_unique<Waiter>());
    join(origin, *ws.back(), "k", &c);
  }
  ASSERT_TRUE(all_done(ws));
  for (const auto& w : ws) EXPECT_EQ(w->done->failure, FetchFailure::first_byte_timeout);
  EXPECT_EQ(c.keys_in_flight(), 0u);
}

TEST_F(CoalescerTest, DifferentKeysDifferentFetchesAndTheKeyBound) {
  CoalescerSettings cs;
  cs.max_keys = 2;
  Coalescer bounded(client, cs);
  ScriptedOrigin origin([](const ReceivedRequest& req) { return ScriptedReply::ok(req.target); });
  std::vector<std::unique_ptr<Waiter>> ws;
  for (const char* key : {"a", "b"}) {
    ws.push_back(std::make_unique<Waiter>());
    EXPECT_FALSE(join(origin, *ws.back(), key, &bounded).collapsed);
  }
  Waiter third;
  EXPECT_EQ(join(origin, third, "c", &bounded).refusal, JoinRefusal::too_many_keys);
  ASSERT_TRUE(all_done(ws));
  EXPECT_EQ(ws[0]->body, "/a");
  EXPECT_EQ(ws[1]->body, "/b");
  EXPECT_EQ(origin.requests(), 2);
}

// The store's waiter: keeps the whole body (Coalescer::keep), gives up
// beyond `limit` bytes as PullFill does beyond pull-object-max.
struct Keeper : FetchWaiter {
  Keeper(Coalescer& c, std::size_t max) : coalescer(c), limit(max) {}
  void on_head(const OriginHead&) override { kept = coalescer.keep(id, body); }
  std::size_t on_body(std::string_view chunk) override {
    if (body->size() + chunk.size() > limit) {
      body.reset();
      coalescer.leave(id);
    } else {
      body->append(chunk);
    }
    return chunk.size();
  }
  void on_done(const FetchOutcome& o) override { done = o; }
  Coalescer& coalescer;
  std::size_t limit;
  WaiterId id = 0;
  bool kept = false;
  std::shared_ptr<std::string> body = std::make_shared<std::string>();
  std::optional<FetchOutcome> done;
};

CoalescerSettings small_window(std::chrono::milliseconds lag = 0ms) {
  CoalescerSettings cs;
  cs.max_window_bytes = 64 * 1024;
  cs.lag_timeout = lag;
  return cs;
}

// A kept body frees the fetch from the slowest waiter: the fast one gets all
// 1 MiB (16 windows) while the slow one took nothing, then the slow one reads
// it all from the kept body after the fetch ended.
TEST_F(CoalescerTest, KeptBodyLetsTheFastWaiterFinishWhileTheSlowOneReadsNothing) {
  Coalescer c(client, small_window());
  const std::string body(1 << 20, 'k');
  ScriptedOrigin origin([&](const ReceivedRequest&) { return ScriptedReply::ok(body); });
  Waiter fast, slow;
  slow.room = 0;
  join(origin, fast, "k", &c);
  Keeper keeper(c, 4 << 20);
  keeper.id = join(origin, keeper, "k", &c).id;
  const JoinResult s = join(origin, slow, "k", &c);
  ASSERT_TRUE(loop.run_until([&] { return fast.done && keeper.done; }));
  EXPECT_TRUE(keeper.kept);
  EXPECT_TRUE(fast.done->ok());
  EXPECT_EQ(fast.body, body);
  EXPECT_EQ(*keeper.body, body);
  EXPECT_TRUE(slow.body.empty());
  EXPECT_FALSE(slow.done);
  slow.room = Waiter::kUnlimited;
  c.resume(s.id);
  ASSERT_TRUE(loop.run_until([&] { return slow.done.has_value(); }));
  EXPECT_TRUE(slow.done->ok());
  EXPECT_EQ(slow.body, body);
  EXPECT_EQ(origin.requests(), 1);
}

// held_bytes (relais_pull_held_bytes): a kept body counts while the fetch
// runs and after it ended for as long as a slow reader still reads it; the
// reader leaving frees it (the pull layer's slice readers leave at the end).
TEST_F(CoalescerTest, HeldBytesCountAKeptBodyUntilItsLastReaderLeaves) {
  Coalescer c(client, small_window());
  ScriptedOrigin origin([](const ReceivedRequest&) { return ScriptedReply::ok(std::string(300'000, 'h')); });
  Waiter stalled;
  stalled.room = 0;
  Keeper store(c, 1 << 20);
  const JoinResult reader = join(origin, stalled, "h", &c);
  store.id = join(origin, store, "h", &c).id;
  EXPECT_EQ(c.held_bytes(), 0u);
  ASSERT_TRUE(loop.run_until([&] { return store.done.has_value(); }));
  EXPECT_FALSE(c.in_flight("h"));
  EXPECT_EQ(c.held_bytes(), 300'000u);
  c.leave(reader.id);
  EXPECT_EQ(c.held_bytes(), 0u);
}

// The keeper gives up (the body outgrew what it may store): the fetch falls
// back to a window of its last bytes, the waiter already behind it is cut,
// the others get the whole body.
TEST_F(CoalescerTest, KeeperGivingUpFallsBackToTheWindowAndCutsWhoIsBehindIt) {
  Coalescer c(client, small_window());
  const std::string body(1 << 20, 'g');
  ScriptedOrigin origin([&](const ReceivedRequest&) { return ScriptedReply::ok(body); });
  Waiter fast, slow;
  slow.room = 0;
  join(origin, fast, "k", &c);
  Keeper keeper(c, 512 * 1024);
  keeper.id = join(origin, keeper, "k", &c).id;
  join(origin, slow, "k", &c);
  ASSERT_TRUE(loop.run_until([&] { return fast.done && slow.done; }));
  EXPECT_TRUE(keeper.kept);
  EXPECT_FALSE(keeper.done);  // it left
  EXPECT_EQ(slow.done->failure, FetchFailure::lagged);
  EXPECT_TRUE(fast.done->ok());
  EXPECT_EQ(fast.body, body);
  EXPECT_EQ(c.lagged_cut(), 1u);
}

// Every client left, the fetch runs on for the store alone, and the store
// gives up: the fetch is cancelled, nothing is left behind.
TEST_F(CoalescerTest, TheKeeperGivingUpAloneCancelsTheFetch) {
  Coalescer c(client, small_window());
  const std::string body(1 << 20, 'a');
  ScriptedOrigin origin([&](const ReceivedRequest&) { return ScriptedReply::ok(body); });
  Waiter client_waiter;
  const JoinResult j = join(origin, client_waiter, "k", &c);
  Keeper keeper(c, 512 * 1024);
  keeper.id = join(origin, keeper, "k", &c).id;
  client_waiter.on_body_hook = [&] { c.leave(j.id); };
  ASSERT_TRUE(loop.run_until([&] { return c.keys_in_flight() == 0 && client.in_flight() == 0; }));
  EXPECT_TRUE(keeper.kept);
  EXPECT_EQ(keeper.body, nullptr);  // it gave up
  EXPECT_FALSE(keeper.done);
  EXPECT_EQ(c.waiters(), 0u);
}

// Not kept: a waiter that holds the window full while another waits is cut
// after the lag timeout, and the fetch goes on for the other.
TEST_F(CoalescerTest, WindowHeldLongerThanTheLagTimeoutCutsTheWaiterHoldingIt) {
  Coalescer c(client, small_window(100ms));
  const std::string body(1 << 20, 'h');
  ScriptedOrigin origin([&](const ReceivedRequest&) { return ScriptedReply::ok(body); });
  Waiter fast, stalled;
  stalled.room = 1000;  // takes a little, then nothing
  join(origin, fast, "k", &c);
  join(origin, stalled, "k", &c);
  ASSERT_TRUE(loop.run_until([&] { return fast.done && stalled.done; }));
  EXPECT_EQ(stalled.done->failure, FetchFailure::lagged);
  EXPECT_EQ(stalled.body.size(), 1000u);
  EXPECT_TRUE(fast.done->ok());
  EXPECT_EQ(fast.body, body);
  EXPECT_EQ(c.lagged_cut(), 1u);
  EXPECT_EQ(origin.requests(), 1);
}

}  // namespace
}  // namespace relais::upstream
