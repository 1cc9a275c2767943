// The origin client on a libevent loop against a scripted origin on
// 127.0.0.1: fetch, conditional fetch, each timeout, dropped connections,
// malformed heads, keep-alive reuse, backpressure, cancellation, many
// fetches at once. Every wait is a loop run with a deadline, never a sleep.
#include "edge/upstream/origin_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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
using testing::Recorder;
using testing::ReceivedRequest;
using testing::ScriptedOrigin;
using testing::ScriptedReply;

OriginSettings fast_settings() {
  OriginSettings s;
  s.connect_timeout = 300ms;
  s.first_byte_timeout = 400ms;
  s.between_bytes_timeout = 400ms;
  return s;
}

class OriginClientTest : public ::testing::Test {
 protected:
  FetchId fetch(ScriptedOrigin& origin, Recorder& r, OriginRequest req = {}) {
    Result<FetchId> id = client.start({origin.base_url(), "www.example.org"}, req, r);
    RELAIS_ASSERT(id.ok());
    return *id;
  }
  bool wait(Recorder& r) { return loop.run_until([&] { return r.finished(); }); }
  // The end of one fetch from an origin that answers it with `reply`.
  bool fetch_one(const ScriptedReply& reply, Recorder& r) {
    ScriptedOrigin origin([reply](const ReceivedRequest&) { return reply; });
    fetch(origin, r);
    return wait(r);
  }

  EventLoop loop;
  OriginClient client{loop.base(), fast_settings()};
};

ScriptedOrigin::Script hello(std::vector<std::string> fields = {}) {
  return [fields](const ReceivedRequest&) { return ScriptedReply::ok("hello", fields); };
}

TEST_F(OriginClientTest, FetchesHeadAndBody) {
  ScriptedOrigin origin(hello({"Cache-Control: max-age=60", "ETag: \"v1\""}));
  Recorder r;
  fetch(origin, r);
  ASSERT_TRUE(wait(r));
  EXPECT_TRUE(r.done->ok()) << r.done->message;
  ASSERT_TRUE(r.head);
  EXPECT_EQ(r.head->status, 200);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.heads, 1);
  EXPECT_EQ(client.in_flight(), 0u);
}

TEST_F(OriginClientTest, OriginSeesOnlyTheRebuiltRequest) {
  ScriptedOrigin origin(hello());
  Recorder r;
  OriginRequest req;
  req.path = "/cours/a.html?p=2";
  req.accept_encoding = "br, gzip";
  fetch(origin, r, req);
  ASSERT_TRUE(wait(r));
  const std::vector<ReceivedRequest> seen = origin.received();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].target, "/cours/a.html?p=2");
  std::vector<std::string> names;
  for (const auto& [n, v] : seen[0].fields) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"Host", "User-Agent", "Accept-Encoding"}));
  EXPECT_EQ(seen[0].field("Host"), "www.example.org");
}

TEST_F(OriginClientTest, ConditionalFetchGetsNotModified) {
  ScriptedOrigin origin([](const ReceivedRequest& req) {
    if (req.field("If-None-Match") == "\"v1\"") return ScriptedReply::ok("", {"ETag: \"v1\""}, 304);
    return ScriptedReply::ok("full body", {"ETag: \"v1\""});
  });
  Recorder r;
  OriginRequest req;
  req.if_none_match = "\"v1\"";
  req.if_modified_since = "Sun, 06 Nov 1994 08:49:37 GMT";
  fetch(origin, r, req);
  ASSERT_TRUE(wait(r));
  EXPECT_TRUE(r.done->ok());
  EXPECT_EQ(r.head->status, 304);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(origin.received()[0].field("If-Modified-Since"), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST_F(OriginClientTest, HeadRequestHasNoBody) {
  ScriptedOrigin origin([](const ReceivedRequest& req) {
    ScriptedReply r = ScriptedReply::ok("12345");
    if (req.method == "HEAD") r.bytes = "HTTP/1.1 200 X\r\nContent-Length: 5\r\n\r\n";
    return r;
  });
  Recorder r;
  OriginRequest req;
  req.method = OriginMethod::head;
  fetch(origin, r, req);
  ASSERT_TRUE(wait(r));
  EXPECT_TRUE(r.done->ok());
  EXPECT_EQ(origin.received()[0].method, "HEAD");
  EXPECT_TRUE(r.body.empty());
}

TEST_F(OriginClientTest, KeepAliveReusesOneConnection) {
  ScriptedOrigin origin(hello());
  for (int i = 0; i < 3; ++i) {
    Recorder r;
    fetch(origin, r);
    ASSERT_TRUE(wait(r));
    EXPECT_TRUE(r.done->ok());
  }
  EXPECT_EQ(origin.requests(), 3);
  EXPECT_EQ(origin.connections(), 1);
}

TEST_F(OriginClientTest, RedirectIsReturnedNotFollowed) {
  ScriptedOrigin origin([](const ReceivedRequest&) {
    return ScriptedReply::ok("", {"Location: http://127.0.0.1:1/elsewhere"}, 301);
  });
  Recorder r;
  fetch(origin, r);
  ASSERT_TRUE(wait(r));
  EXPECT_TRUE(r.done->ok());
  EXPECT_EQ(r.head->status, 301);
  EXPECT_EQ(origin.requests(), 1);
}

TEST_F(OriginClientTest, ChunkedBodyIsDecodedFraming) {
  ScriptedOrigin origin([](const ReceivedRequest&) {
    ScriptedReply r;
    r.bytes = "HTTP/1.1 200 X\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n";
    return r;
  });
  Recorder r;
  fetch(origin, r);
  ASSERT_TRUE(wait(r));
  EXPECT_TRUE(r.done->ok()) << r.done->message;
  EXPECT_EQ(r.body, "hello world");
  EXPECT_EQ(r.heads, 1);  // the trailer is no second head
}

TEST_F(OriginClientTest, FirstByteTimeout) {
  ScriptedReply reply = ScriptedReply::ok("x");
  reply.stall_before = true;
  Recorder r;
  ASSERT_TRUE(fetch_one(reply, r));
  EXPECT_EQ(r.failure(), FetchFailure::first_byte_timeout);
  EXPECT_FALSE(r.head);
}

TEST_F(OriginClientTest, BetweenBytesTimeout) {
  ScriptedReply reply = ScriptedReply::ok(std::string(1000, 'a'));
  reply.stall_after = reply.bytes.size() - 500;  // the head and half the body, then nothing
  Recorder r;
  ASSERT_TRUE(fetch_one(reply, r));
  EXPECT_EQ(r.failure(), FetchFailure::between_bytes_timeout);
  EXPECT_TRUE(r.head);
}

// A trickle never trips the between-bytes timer (a byte every 50 ms, the
// timer 400 ms): under min_rate over a window of that timeout, the fetch ends.
TEST_F(OriginClientTest, ATricklingOriginIsTooSlow) {
  ScriptedReply reply = ScriptedReply::ok(std::string(100000, 'a'));
  reply.trickle_from = reply.bytes.size() - 100000 + 10;  // the head and 10 bytes, then one byte every 50 ms
  reply.trickle_ms = 50;
  Recorder r;
  ASSERT_TRUE(fetch_one(reply, r));
  EXPECT_EQ(r.failure(), FetchFailure::too_slow);
  EXPECT_TRUE(r.head);
}

TEST_F(OriginClientTest, ConnectTimeout) {
  // A listener whose accept queue is full and never drained: the kernel drops
  // further SYNs, so a connect hangs until our timeout (loopback only).
  sockaddr_in addr{};
  const int listener = testing::bind_loopback(&addr);
  ASSERT_GE(listener, 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    (void)::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    fillers.push_back(fd);
  }
  OriginSettings s = fast_settings();
  s.first_byte_timeout = 20s;  // so that only the connect timeout can end it
  OriginClient slow_client(loop.base(), s);
  Recorder r;
  ASSERT_TRUE(slow_client.start({"http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), "h"}, {}, r).ok());
  ASSERT_TRUE(wait(r));
  EXPECT_EQ(r.failure(), FetchFailure::connect_timeout) << r.done->message;
  for (int fd : fillers) ::close(fd);
  ::close(listener);
}

TEST_F(OriginClientTest, ConnectionRefused) {
  sockaddr_in addr{};
  const int fd = testing::bind_loopback(&addr);
  ASSERT_GE(fd, 0);
  ::close(fd);  // bound, never listened: nothing there
  Recorder r;
  ASSERT_TRUE(client.start({"http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), "h"}, {}, r).ok());
  ASSERT_TRUE(wait(r));
  EXPECT_EQ(r.failure(), FetchFailure::connect);
}

TEST_F(OriginClientTest, DroppedConnectionMidBody) {
  ScriptedOrigin origin([](const ReceivedRequest&) {
    ScriptedReply r = ScriptedReply::ok(std::string(5000, 'a'));
    r.drop_after = r.bytes.size() - 100;
    return r;
  });
  Recorder r;
  fetch(origin, r);
  ASSERT_TRUE(wait(r));
  EXPECT_EQ(r.failure(), FetchFailure::dropped) << r.done->message;
}

TEST_F(OriginClientTest, DroppedBeforeAnyByte) {
  ScriptedOrigin origin([](const ReceivedRequest&) {
    ScriptedReply r = ScriptedReply::ok("x");
    r.drop_after = 0;
    return r;
  });
  Recorder r;
  fetch(origin, r);
  ASSERT_TRUE(wait(r));
  EXPECT_EQ(r.failure(), FetchFailure::dropped) << r.done->message;
}

TEST_F(OriginClientTest, MalformedHeadIsBadResponse) {
  for (const char* head : {"HTTP/1.1 200 OK\r\nNo colon\r\nContent-Length: 1\r\n\r\nx",
                           "HTTP/1.1 200 OK\r\nX: a\r\n folded\r\nContent-Length: 1\r\n\r\nx",
                           "garbage that is no HTTP at all\r\n\r\n"}) {
    ScriptedOrigin origin([head](const ReceivedRequest&) {
      ScriptedReply r;
      r.bytes = head;
      r.close_after = true;
      return r;
    });
    Recorder r;
    fetch(origin, r);
    ASSERT_TRUE(wait(r));
    EXPECT_EQ(r.failure(), FetchFailure::bad_response) << head << " -> " << r.done->message;
  }
}

TEST_F(OriginClientTest, HugeHeadIsRefused) {
  ScriptedOrigin origin(hello({"X-Big: " + std::string(70 * 1024, 'a')}));
  Recorder r;
  fetch(origin, r);
  ASSERT_TRUE(wait(r));
  EXPECT_EQ(r.failure(), FetchFailure::head_too_large) << r.done->message;
}

TEST_F(OriginClientTest, BodyOverTheCapFails) {
  OriginSettings s = fast_settings();
  s.max_body_bytes = 1000;
  OriginClient capped(loop.base(), s);
  ScriptedOrigin origin([](const ReceivedRequest&) {
    ScriptedReply r;  // no Content-Length: the cap must hold while reading
    r.bytes = "HTTP/1.1 200 X\r\nConnection: close\r\n\r\n" + std::string(5000, 'a');
    r.close_after = true;
    return r;
  });
  Recorder r;
  ASSERT_TRUE(capped.start({origin.base_url(), "h"}, {}, r).ok());
  ASSERT_TRUE(wait(r));
  EXPECT_EQ(r.failure(), FetchFailure::body_too_large) << r.done->message;
  EXPECT_LE(r.body.size(), 1000u);
}

TEST_F(OriginClientTest, BackpressurePausesAndResumes) {
  const std::string big(1 << 20, 'z');
  ScriptedOrigin origin([&](const ReceivedRequest&) { return ScriptedReply::ok(big); });
  Recorder r;
  r.room = 1000;  // takes 1000 bytes, then is full
  const FetchId id = fetch(origin, r);
  ASSERT_TRUE(loop.run_until([&] { return client.paused(id); }));
  EXPECT_EQ(r.body.size(), 1000u);
  EXPECT_LE(client.buffered(id), OriginSettings{}.body_buffer_bytes);
  // Paused longer than the between-bytes timeout: our own pause is no stall.
  bool later = false;
  event* t = evtimer_new(loop.base(), [](evutil_socket_t, short, void* p) { *static_cast<bool*>(p) = true; }, &later);
  const timeval tv{1, 0};
  evtimer_add(t, &tv);
  loop.run_until([&] { return later; });
  event_free(t);
  EXPECT_FALSE(r.finished());
  r.room = Recorder::kUnlimited;
  client.resume(id);
  ASSERT_TRUE(wait(r));
  EXPECT_TRUE(r.done->ok()) << r.done->message;
  EXPECT_EQ(r.body, big);
}

TEST_F(OriginClientTest, SlowReaderGetsEveryByteInOrder) {
  std::string body;
  for (int i = 0; i < 200000; ++i) body.push_back(static_cast<char>('a' + i % 26));
  ScriptedOrigin origin([&](const ReceivedRequest&) { return ScriptedReply::ok(body); });
  Recorder r;
  r.room = 0;
  const FetchId id = fetch(origin, r);
  // A consumer that wakes every millisecond and makes room for 7000 bytes
  // when the client holds bytes for it or has paused.
  struct Consumer {
    OriginClient* client;
    Recorder* r;
    FetchId id;
  } consumer{&client, &r, id};
  event* tick = event_new(loop.base(), -1, EV_PERSIST, [](evutil_socket_t, short, void* p) {
    auto* c = static_cast<Consumer*>(p);
    if (c->r->finished() || (c->client->buffered(c->id) == 0 && !c->client->paused(c->id))) return;
    c->r->room = 7000;
    c->client->resume(c->id);
  }, &consumer);
  const timeval ms{0, 1000};
  event_add(tick, &ms);
  ASSERT_TRUE(wait(r));
  event_free(tick);
  EXPECT_TRUE(r.done->ok());
  EXPECT_EQ(r.body, body);
}

TEST_F(OriginClientTest, CancelInOnHeadStopsCallbacks) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return ScriptedReply::ok(std::string(100000, 'a')); });
  Recorder r;
  FetchId id = 0;
  r.on_head_hook = [&] { client.cancel(id); };
  id = fetch(origin, r);
  ASSERT_TRUE(loop.run_until([&] { return r.heads == 1 && client.in_flight() == 0; }));
  // A second fetch proves the loop is healthy after the cancelled one.
  Recorder after;
  fetch(origin, after);
  ASSERT_TRUE(wait(after));
  EXPECT_TRUE(after.done->ok());
  EXPECT_FALSE(r.finished());
  EXPECT_TRUE(r.body.empty());
}

TEST_F(OriginClientTest, ManyConcurrentFetchesShareABoundedPool) {
  OriginSettings s = fast_settings();
  s.max_connections_per_host = 4;
  s.first_byte_timeout = 20s;
  OriginClient pooled(loop.base(), s);
  ScriptedOrigin origin([](const ReceivedRequest& req) { return ScriptedReply::ok("body of " + req.target); });
  std::vector<std::unique_ptr<Recorder>> recorders;
  for (int i = 0; i < 60; ++i) {
    recorders.push_back(std::make_unique<Recorder>());
    OriginRequest req;
    req.path = "/k" + std::to_string(i);
    ASSERT_TRUE(pooled.start({origin.base_url(), "h"}, req, *recorders.back()).ok());
  }
  ASSERT_TRUE(loop.run_until([&] {
    return std::all_of(recorders.begin(), recorders.end(), [](const auto& r) { return r->finished(); });
  }));
  for (int i = 0; i < 60; ++i) {
    EXPECT_TRUE(recorders[i]->done->ok()) << i;
    EXPECT_EQ(recorders[i]->body, "body of /k" + std::to_string(i));
  }
  EXPECT_EQ(origin.requests(), 60);
  EXPECT_LE(origin.connections(), 4);
}

TEST_F(OriginClientTest, DestroyingTheClientWithFetchesInFlightCallsNothing) {
  ScriptedOrigin origin([](const ReceivedRequest&) {
    ScriptedReply r = ScriptedReply::ok("x");
    r.stall_before = true;
    return r;
  });
  Recorder r;
  {
    OriginClient short_lived(loop.base(), fast_settings());
    ASSERT_TRUE(short_lived.start({origin.base_url(), "h"}, {}, r).ok());
    ASSERT_TRUE(loop.run_until([&] { return origin.requests() == 1; }));
  }
  EXPECT_FALSE(r.finished());
}

}  // namespace
}  // namespace relais::upstream
