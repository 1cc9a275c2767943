// Pull-through end to end (docs/PULL_THROUGH.md, "Conformance, end to end"):
// the real relais-edge in front of a scripted origin on 127.0.0.1 that counts
// its requests. Each case names the RFC section it checks.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_pull_fixture.h"
#include "tests/integration/gate.h"

namespace relais::testing {
namespace {

class EdgePull : public EdgePullBase {};

// A pull-only edge needs no manifest: a load balancer must not drop it for
// lacking one (a manifest-only edge without a catalog stays 503: EdgeAdmin).
TEST(EdgePullHealth, APullOnlyEdgeWithoutAManifestIsHealthyAndServes) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return cacheable("from the origin"); });
  TempDir dir;
  dir.write("out/.keep", "");
  RunningEdge edge = start_edge(dir, {"--mode", "pull", "--origin-url", origin.base_url(), "--workers", "1"});
  ASSERT_NE(edge.port, 0);
  auto health = http_get(edge.admin_port, "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_NE(health->body.find("pull-through"), std::string::npos) << health->body;
  auto page = http_get(edge.port, "/page.txt");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->body, "from the origin");
}

TEST_F(EdgePull, Rfc9111_S3_MissThenHitOneOriginRequest) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return cacheable("hello from the origin"); });
  start(origin);
  auto first = get("/page.txt");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "hello from the origin");
  EXPECT_EQ(first->header("Content-Type"), "text/plain");
  auto second = get("/page.txt");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "hello from the origin");
  EXPECT_EQ(origin.requests(), 1);
}

TEST_F(EdgePull, Rfc9211_S2_CacheStatusAndAgeOnMissAndHit) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return cacheable("x"); });
  start(origin);
  auto miss = get("/a");
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->header("Cache-Status"), "relais; fwd=uri-miss; fwd-status=200");
  EXPECT_TRUE(miss->has_header("Age"));
  auto hit = get("/a");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->header("Cache-Status").rfind("relais; hit; ttl=", 0), 0u) << hit->header("Cache-Status");
  EXPECT_TRUE(hit->has_header("Age"));  // RFC 9111 §5.1
  EXPECT_EQ(origin.requests(), 1);
}

// A forwarded head leaves before its body is whole, and a cut body is never
// stored: the miss never claims "stored" (an outside attack saw it on a
// response whose body the origin then cut, and which was dropped).
TEST_F(EdgePull, Rfc9211_S2_5_AMissNeverClaimsStoredBeforeTheBodyIsWhole) {
  const std::string body(64 * 1024, 't');
  std::atomic<int> replies{0};
  ScriptedOrigin origin([&](const ReceivedRequest&) {
    ScriptedReply r = cacheable(body);
    if (replies++ == 0) r.drop_after = r.bytes.find("\r\n\r\n") + 4 + 1000;  // the first body is cut
    return r;
  });
  start(origin);
  RawClient cut(edge_.port);
  ASSERT_TRUE(cut.send("GET /t HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  std::string got;
  ASSERT_TRUE(cut.wait_closed(std::chrono::seconds(20), &got));
  ASSERT_NE(got.find("Cache-Status: relais; fwd=uri-miss; fwd-status=200\r\n"), std::string::npos) << got.substr(0, 400);
  auto again = get("/t");  // not stored: a miss again
  ASSERT_TRUE(again);
  EXPECT_EQ(again->header("Cache-Status"), "relais; fwd=uri-miss; fwd-status=200");
  EXPECT_EQ(again->body, body);
  EXPECT_EQ(origin.requests(), 2);
}

TEST_F(EdgePull, Rfc9111_S4_CoalescingFiftyClientsOneOriginFetch) {
  const std::string body(300 * 1024, 'c');
  Gate gate;
  ScriptedOrigin origin([&](const ReceivedRequest&) {
    gate.wait();  // until every client waits on the fetch
    return cacheable(body);
  });
  start(origin);
  constexpr int kClients = 50;
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawClient>(edge_.port));
    ASSERT_TRUE(clients.back()->send("GET /cold HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  }
  // 50 clients and the store's fill wait on one fetch.
  EXPECT_GE(await_metric("relais_pull_waiters", kClients + 1), kClients + 1);
  gate.open();
  for (auto& c : clients) {
    auto r = c->read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body.size(), body.size());
    EXPECT_EQ(r->body, body);
  }
  EXPECT_EQ(origin.requests(), 1);
  EXPECT_GE(await_metric("relais_pull_responses_total{outcome=\"coalesced\"}", kClients - 1), kClients - 1);
}

TEST_F(EdgePull, Rfc9111_S4_3_ExpiredRevalidatesWithIfNoneMatchAnd304) {
  ScriptedOrigin origin([](const ReceivedRequest& r) {
    if (r.field("If-None-Match") == "\"v1\"")
      return ScriptedReply::ok("", {"ETag: \"v1\"", "Cache-Control: max-age=0"}, 304);
    return ScriptedReply::ok("version one", {"ETag: \"v1\"", "Cache-Control: max-age=0"});
  });
  start(origin);
  auto first = get("/doc");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "version one");
  auto second = get("/doc");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "version one");
  EXPECT_EQ(second->header("Cache-Status"), "relais; fwd=stale; fwd-status=304; ttl=0");
  ASSERT_EQ(origin.requests(), 2);
  EXPECT_EQ(origin.received()[1].field("If-None-Match"), "\"v1\"");
  EXPECT_EQ(origin.received()[0].field("If-None-Match"), "");
}

TEST_F(EdgePull, Rfc5861_S3_StaleWhileRevalidateServesStaleAndRefreshesBehind) {
  std::atomic<int> version{0};
  ScriptedOrigin origin([&](const ReceivedRequest&) {
    return cacheable("v" + std::to_string(++version), "max-age=0, stale-while-revalidate=600");
  });
  start(origin);
  auto first = get("/swr");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "v1");
  auto stale = get("/swr");  // served at once from the cache, refreshed behind it
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->body, "v1");
  EXPECT_EQ(stale->header("Cache-Status").rfind("relais; hit", 0), 0u) << stale->header("Cache-Status");
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string body = "v1";
  while (body != "v2" && std::chrono::steady_clock::now() < until) {
    auto r = get("/swr");
    ASSERT_TRUE(r);
    body = r->body;
    if (body != "v2") ::poll(nullptr, 0, 20);
  }
  EXPECT_EQ(body, "v2");  // the refreshed response replaced the stale one
  EXPECT_GE(origin.requests(), 2);
}

TEST_F(EdgePull, Rfc9111_S4_3_2_ClientConditionalAnsweredFromTheCache) {
  ScriptedOrigin origin([](const ReceivedRequest&) {
    return ScriptedReply::ok("tagged", {"ETag: \"t1\"", "Cache-Control: max-age=60"});
  });
  start(origin);
  ASSERT_TRUE(get("/tagged"));
  auto r = get("/tagged", {"If-None-Match: \"t1\""});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);
  EXPECT_EQ(r->header("ETag"), "\"t1\"");
  EXPECT_EQ(origin.requests(), 1);
}

TEST_F(EdgePull, Rfc9111_S5_2_2_5_NoStoreIsNotStored) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return cacheable("secret", "no-store, max-age=60"); });
  start(origin);
  auto first = get("/ns");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "secret");
  EXPECT_EQ(first->header("Cache-Status"), "relais; fwd=uri-miss; fwd-status=200");
  ASSERT_TRUE(get("/ns"));
  EXPECT_EQ(origin.requests(), 2);
}

TEST_F(EdgePull, Rfc9111_S5_2_2_7_PrivateIsNotStored) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return cacheable("mine", "private, max-age=60"); });
  start(origin);
  ASSERT_TRUE(get("/p"));
  ASSERT_TRUE(get("/p"));
  EXPECT_EQ(origin.requests(), 2);
}

TEST_F(EdgePull, Rfc9111_S3_SetCookieResponseIsNotStored) {
  ScriptedOrigin origin([](const ReceivedRequest&) {
    return ScriptedReply::ok("with cookie", {"Cache-Control: public, max-age=60", "Set-Cookie: session=abc"});
  });
  start(origin);
  auto first = get("/c");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->header("Set-Cookie"), "session=abc");  // passed to this client only
  auto second = get("/c");
  ASSERT_TRUE(second);
  EXPECT_EQ(origin.requests(), 2);
}

// RFC 9111 §4.1: an origin that negotiates on Accept-Language sees the
// client's, so each variant is stored under the key it was chosen for; two
// languages never share one fetch.
TEST_F(EdgePull, Rfc9111_S4_1_VaryAcceptLanguageReachesTheOriginAndKeepsEachVariant) {
  ScriptedOrigin origin([](const ReceivedRequest& r) {
    const std::string lang = r.field("Accept-Language");
    return ScriptedReply::ok(lang.rfind("fr", 0) == 0 ? "Bonjour" : "Hello",
                             {"Cache-Control: max-age=60", "Vary: Accept-Language"});
  });
  start(origin);
  for (const char* lang : {"fr", "en", "fr", "en"}) {
    auto r = get("/page", {std::string("Accept-Language: ") + lang});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, std::string(lang) == "fr" ? "Bonjour" : "Hello") << lang;
  }
  ASSERT_EQ(origin.requests(), 2);
  EXPECT_EQ(origin.received()[0].field("Accept-Language"), "fr");
  EXPECT_EQ(origin.received()[1].field("Accept-Language"), "en");
}

TEST_F(EdgePull, Rfc9111_S4_1_VaryAcceptEncodingKeepsTwoVariants) {
  ScriptedOrigin origin([](const ReceivedRequest& r) {
    if (r.field("Accept-Encoding").find("gzip") != std::string::npos)
      return ScriptedReply::ok("GZ", {"Cache-Control: max-age=60", "Vary: Accept-Encoding", "Content-Encoding: gzip"});
    return ScriptedReply::ok("PLAIN", {"Cache-Control: max-age=60", "Vary: Accept-Encoding"});
  });
  start(origin);
  for (int round = 0; round < 2; ++round) {
    auto gz = get("/v", {"Accept-Encoding: gzip, deflate"});
    ASSERT_TRUE(gz);
    EXPECT_EQ(gz->body, "GZ");
    EXPECT_EQ(gz->header("Content-Encoding"), "gzip");
    auto plain = get("/v");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->body, "PLAIN");
    EXPECT_FALSE(plain->has_header("Content-Encoding"));
  }
  EXPECT_EQ(origin.requests(), 2);
}

TEST_F(EdgePull, Rfc5861_S4_StaleIfErrorServedWhenTheOriginIsDown) {
  auto origin = std::make_unique<ScriptedOrigin>(
      [](const ReceivedRequest&) { return cacheable("still here", "max-age=0, stale-if-error=600"); });
  start(*origin);
  ASSERT_TRUE(get("/s"));
  origin.reset();  // the port now refuses connections
  auto stale = get("/s");
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 200);
  EXPECT_EQ(stale->body, "still here");
  EXPECT_EQ(stale->header("Cache-Status").rfind("relais; fwd=stale", 0), 0u) << stale->header("Cache-Status");
}

TEST_F(EdgePull, Rfc9111_S4_2_4_NoStaleWithoutPermissionWhenTheOriginIsDown) {
  auto origin = std::make_unique<ScriptedOrigin>([](const ReceivedRequest&) { return cacheable("gone", "max-age=0"); });
  start(*origin);
  ASSERT_TRUE(get("/n"));
  origin.reset();
  auto r = get("/n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502) << r->header("Cache-Status");
}

TEST_F(EdgePull, Rfc9111_S4_2_2_NotFoundIsNegativelyCached) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return ScriptedReply::ok("no such page", {}, 404); });
  start(origin);
  for (int i = 0; i < 3; ++i) {
    auto r = get("/missing");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
    EXPECT_EQ(r->body, "no such page");
  }
  EXPECT_EQ(origin.requests(), 1);
}

TEST_F(EdgePull, BothMode_ManifestAnswersFirstAndUnlistedPrefixNeverReachesTheOrigin) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return cacheable("pulled"); });
  start(origin, {"--mode", "both", "--pull-prefix", "/pulled/"});
  auto published = get("/index.html");
  ASSERT_TRUE(published);
  EXPECT_EQ(published->body, "<p>published</p>\n");
  auto outside = get("/random/x");
  ASSERT_TRUE(outside);
  EXPECT_EQ(outside->status, 404);
  EXPECT_EQ(origin.requests(), 0);
  auto pulled = get("/pulled/x");
  ASSERT_TRUE(pulled);
  EXPECT_EQ(pulled->body, "pulled");
  EXPECT_EQ(origin.requests(), 1);
}

// RFC 9112 §9.3.2: pipelined requests behind an answer that waits on the
// origin are answered after it, in order, even when they fill the input.
TEST_F(EdgePull, PipelinedRequestsWaitForTheDeferredAnswerInOrder) {
  Gate gate;
  ScriptedOrigin origin([&](const ReceivedRequest& r) {
    if (r.target == "/slow") {
      gate.wait();
      return cacheable("slow");
    }
    return cacheable("fast");
  });
  start(origin);
  RawClient c(edge_.port);
  std::string pipeline = "GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n";
  constexpr int kBehind = 600;  // about 24 KiB: more than the input buffer holds
  for (int i = 0; i < kBehind; ++i) pipeline += "GET /fast HTTP/1.1\r\nHost: localhost\r\n\r\n";
  ASSERT_TRUE(c.send(pipeline));
  EXPECT_GE(await_metric("relais_pull_waiters", 2), 2);
  gate.open();
  auto first = c.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "slow");
  for (int i = 0; i < kBehind; ++i) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, "fast");
  }
  EXPECT_EQ(origin.requests(), 2);
}

// RFC 9112 §6.3 items 3 and 5, from an outside attack: an origin's
// Content-Length that disagrees with how its body is framed must not reach
// the client, or the rest of the body is read as the next response on the
// client's connection (response splitting).
TEST_F(EdgePull, Rfc9112_S6_3_ConflictingOriginFramingNeverSplitsTheClientsConnection) {
  const std::string injected = "abcHTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nPOISONED";
  ScriptedOrigin origin([&](const ReceivedRequest& r) {
    ScriptedReply reply;
    if (r.target == "/cl-and-te") {
      char size[16];
      std::snprintf(size, sizeof size, "%zx", injected.size());
      reply.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n" +
                    std::string(size) + "\r\n" + injected + "\r\n0\r\n\r\n";
    } else if (r.target == "/two-lengths") {
      reply.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: " + std::to_string(injected.size()) +
                    "\r\n\r\n" + injected;
      reply.close_after = true;
    } else {
      reply = cacheable("innocent");
    }
    return reply;
  });
  start(origin);
  RawClient c(edge_.port);
  ASSERT_TRUE(c.send("GET /cl-and-te HTTP/1.1\r\nHost: localhost\r\n\r\nGET /next HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  auto first = c.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, injected);  // the whole chunked body, framed as such
  auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "innocent");
  RawClient d(edge_.port);
  ASSERT_TRUE(d.send("GET /two-lengths HTTP/1.1\r\nHost: localhost\r\n\r\nGET /next HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  auto refused = d.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 502);
  auto after = d.read_response();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body, "innocent");
}

// RFC 9110 §15.4.5: a 304 is an answer to a conditional request; the edge
// sent none (a client's validators never reach the origin), so an origin's
// 304 is a fault, not an empty 200-less answer to pass on.
TEST_F(EdgePull, Rfc9110_S15_4_5_AnUnsolicited304IsABadGateway) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return ScriptedReply::ok("", {"ETag: \"x\""}, 304); });
  start(origin);
  auto r = get("/three04");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  EXPECT_NE(r->header("Cache-Status").find("detail=unsolicited-304"), std::string::npos) << r->header("Cache-Status");
  auto again = get("/three04");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 502);
  EXPECT_EQ(origin.requests(), 2);  // nothing stored
}

TEST_F(EdgePull, ChunkedOriginBodyIsStreamedChunked) {
  ScriptedOrigin origin([](const ReceivedRequest&) {
    ScriptedReply r;
    r.bytes = "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    return r;
  });
  start(origin);
  auto first = get("/chunked");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(first->body, "hello world");
  auto hit = get("/chunked");  // stored: now with its length
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->header("Content-Length"), "11");
  EXPECT_EQ(hit->body, "hello world");
  EXPECT_EQ(origin.requests(), 1);
}

TEST_F(EdgePull, ManifestModeIsTheDefaultAndNeverContactsTheOrigin) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return cacheable("never"); });
  start(origin, {});
  auto r = get("/not-published");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(origin.requests(), 0);
}

// Sites: each pulls from its own origin only, and a manifest site never pulls.
TEST_F(EdgePull, EachSitePullsFromItsOwnOriginOnly) {
  ScriptedOrigin cms([](const ReceivedRequest&) { return cacheable("from the cms"); });
  ScriptedOrigin other([](const ReceivedRequest&) { return cacheable("from the other"); });
  TempDir second;
  ASSERT_TRUE(publish_tree(second, {{"index.html", "<p>second</p>\n"}}));
  TempDir third;
  ASSERT_TRUE(publish_tree(third, {{"index.html", "<p>third</p>\n"}}));
  dir_.write("edge.conf", "listen = 127.0.0.1:0\nadmin-listen = 127.0.0.1:0\nworkers = 1\naccess-log = off\n"
                          "address-rate = 0\n"
                          "[site.cms]\nhosts = cms.test\nstore = " + dir_.file("out") + "\nmode = pull\norigin-url = " +
                          cms.base_url() + "\n"
                          "[site.other]\nhosts = other.test\nstore = " + second.file("out") + "\nmode = both\norigin-url = " +
                          other.base_url() + "\n"
                          "[site.static]\nhosts = static.test\nstore = " + third.file("out") + "\n");
  edge_ = run_edge({RELAIS_EDGE_BIN, "--config", dir_.file("edge.conf")});
  ASSERT_NE(edge_.port, 0);
  auto ask = [&](const std::string& host, const std::string& path) {
    RawClient c(edge_.port);
    EXPECT_TRUE(c.send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n"));
    return c.read_response();
  };
  auto a = ask("cms.test", "/x");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->body, "from the cms");
  auto b = ask("other.test", "/x");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->body, "from the other");  // the same path, another site: its own key and origin
  auto c = ask("static.test", "/x");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, 404);
  EXPECT_EQ(cms.requests(), 1);
  EXPECT_EQ(other.requests(), 1);
}

// The access log's tier field says what the pull layer did (RFC 9211 terms).
TEST_F(EdgePull, AccessLogShowsTheCacheOutcome) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return cacheable("logged"); });
  start(origin, {"--mode", "pull", "--access-log", dir_.file("access.log")});
  ASSERT_TRUE(get("/logged"));
  ASSERT_TRUE(get("/logged"));
  const std::string log = await_log("pull-hit");
  EXPECT_NE(log.find("\"GET /logged HTTP/1.1\" 200 6 \"-\" \"-\" pull-miss"), std::string::npos) << log;
  EXPECT_NE(log.find("\"GET /logged HTTP/1.1\" 200 6 \"-\" \"-\" pull-hit"), std::string::npos) << log;
}

// Purge applies to pulled objects (in every worker's table, before the
// admin's answer): a purged path, and the paths under a purged prefix, are
// misses again; another path stays a hit.
TEST_F(EdgePull, AdminPurgeDropsPulledObjectsSoTheNextRequestIsAMiss) {
  ScriptedOrigin origin([](const ReceivedRequest& r) { return cacheable("from " + r.target); });
  start(origin);
  const std::vector<std::string> paths = {"/p", "/p?v=1", "/dir/a", "/dir/b", "/kept"};
  for (const std::string& path : paths) {
    ASSERT_TRUE(get(path));
    ASSERT_TRUE(get(path));
  }
  ASSERT_EQ(origin.requests(), 5) << "the query is part of the key: /p?v=1 is not /p";
  auto purge = [&](const std::string& path) {
    return http_get(edge_.admin_port, "/purge?path=" + path, {"Authorization: Bearer secret-token"}, "POST");
  };
  auto one = purge("/p");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 200);
  EXPECT_EQ(one->body, "purged 2\n");  // /p and /p?v=1
  auto everything = purge("/");  // not / alone (a script's empty variable)
  ASSERT_TRUE(everything);
  EXPECT_EQ(everything->status, 400);
  auto under = purge("/dir/");
  ASSERT_TRUE(under);
  EXPECT_EQ(under->status, 200);
  EXPECT_EQ(under->body, "purged 2\n");
  for (const std::string path : {"/p", "/dir/a", "/dir/b"}) {
    auto r = get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "from " + path);
    EXPECT_EQ(r->header("Cache-Status").rfind("relais; fwd=uri-miss", 0), 0u) << path << ": " << r->header("Cache-Status");
  }
  auto kept = get("/kept");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->header("Cache-Status").rfind("relais; hit", 0), 0u) << kept->header("Cache-Status");
  EXPECT_EQ(origin.requests(), 8);
}

}  // namespace
}  // namespace relais::testing
