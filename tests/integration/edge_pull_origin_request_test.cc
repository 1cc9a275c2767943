// Pull-through end to end, what the origin is asked and for whom
// (docs/PULL_THROUGH.md, "Conformance, end to end"): the request rebuilt by
// the edge (never the client's fields, credentials passed only as a pass),
// the query in the key, reserved characters, absolute-form targets, and the
// fetches one client address may start. The real relais-edge in front of a
// scripted origin on 127.0.0.1 that counts and records its requests.
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

class EdgePullOriginRequest : public EdgePullBase {};
// The origin fetches one client address starts are bounded
// (pull-address-fetches): its third cold key while two are in flight is a
// 429 at once, a join to one in flight is free, and another address's miss
// is answered meanwhile (outside attack: 100 slow URLs from one address made
// every other client's miss wait 15 s for the origin pool).
TEST_F(EdgePullOriginRequest, OneAddressStartsAtMostPullAddressFetchesOriginFetches) {
  Gate gate;
  std::atomic<int> slow_asked{0};  // requests() counts a request once answered
  ScriptedOrigin origin([&](const ReceivedRequest& r) {
    if (r.target.rfind("/slow/", 0) == 0) {
      ++slow_asked;
      gate.wait();
    }
    return cacheable("for " + r.target);
  });
  start(origin, {"--mode", "pull", "--pull-address-fetches", "2"});
  auto ask = [&](const char* source, const std::string& path) {
    auto c = std::make_unique<RawClient>(edge_.port, source);
    EXPECT_TRUE(c->send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    return c;
  };
  std::vector<std::unique_ptr<RawClient>> held;
  for (const char* path : {"/slow/1", "/slow/2"}) held.push_back(ask("127.0.0.1", path));
  for (const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
       slow_asked < 2 && std::chrono::steady_clock::now() < until;)
    ::poll(nullptr, 0, 10);
  ASSERT_EQ(slow_asked, 2);
  auto third = ask("127.0.0.1", "/slow/3")->read_response();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 429);
  EXPECT_NE(third->header("Cache-Status").find("detail=address-fetches"), std::string::npos) << third->header("Cache-Status");
  held.push_back(ask("127.0.0.1", "/slow/1"));  // joins the fetch in flight
  auto other = ask("127.0.0.2", "/fast")->read_response();
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_EQ(other->body, "for /fast");
  gate.open();
  for (auto& c : held) {
    auto r = c->read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  auto after = ask("127.0.0.1", "/slow/3")->read_response();  // its fetches ended: it may start more
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(origin.requests(), 4);
}

TEST_F(EdgePullOriginRequest, Rfc9110_S7_6_OriginRequestIsRebuiltNotForwarded) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return cacheable("ok"); });
  start(origin);
  ASSERT_TRUE(get("/r?x=1", {"Cookie: session=secret", "X-Forwarded-Host: evil"}));
  ASSERT_EQ(origin.requests(), 1);
  const ReceivedRequest req = origin.received()[0];
  EXPECT_EQ(req.target, "/r?x=1");  // the whole query by default (pull-query = whole)
  EXPECT_EQ(req.field("Cookie"), "");
  EXPECT_EQ(req.field("X-Forwarded-Host"), "");
  EXPECT_EQ(req.field("Host"), "127.0.0.1:" + std::to_string(origin.port()));
}

// RFC 9111 §3.5: a GET with Authorization is passed to the origin with its
// credential (and cookie), never answered from what is stored and never
// stored; the same path without it is cached as before.
TEST_F(EdgePullOriginRequest, Rfc9111_S3_5_AGetWithAuthorizationIsPassedNeverStoredNorServedFromTheCache) {
  ScriptedOrigin origin([](const ReceivedRequest& r) {
    return cacheable(r.field("Authorization").empty() ? "public" : "for " + r.field("Authorization"));
  });
  start(origin);
  ASSERT_TRUE(get("/a"));  // stored: the public answer
  for (int i = 0; i < 2; ++i) {
    auto r = get("/a", {"Authorization: Bearer t1", "Cookie: s=1"});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "for Bearer t1");
    EXPECT_EQ(r->header("Cache-Status").rfind("relais; fwd=bypass", 0), 0u) << r->header("Cache-Status");
  }
  ASSERT_EQ(origin.requests(), 3);
  EXPECT_EQ(origin.received()[1].field("Authorization"), "Bearer t1");
  EXPECT_EQ(origin.received()[1].field("Cookie"), "s=1");
  auto anonymous = get("/a");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->body, "public");  // the credentialed answers were not stored
  EXPECT_EQ(origin.requests(), 3);
}

// RFC 3986 §2.2: a path's sub-delims, ':' and '@' reach the origin as the
// client sent them (a `;jsessionid=`, a `/@user` route); a query's '%' that
// begins no escape goes as %25 (outside attack: they went as %3B, %40, %zz).
TEST_F(EdgePullOriginRequest, Rfc3986_S2_2_ReservedPathCharactersReachTheOriginAsSent) {
  ScriptedOrigin origin([](const ReceivedRequest& r) { return cacheable("for " + r.target); });
  start(origin);
  for (const char* target : {"/a;jsessionid=7/@user:x,y", "/s?q=%zz"}) ASSERT_TRUE(get(target)) << target;
  ASSERT_EQ(origin.requests(), 2);
  EXPECT_EQ(origin.received()[0].target, "/a;jsessionid=7/@user:x,y");
  EXPECT_EQ(origin.received()[1].target, "/s?q=%25zz");
}

// RFC 9110 §4.2.2: the query identifies the resource, so by default a
// pulled object's key has the whole query and the origin gets it; bytes a
// query may not carry raw reach the origin percent-encoded (and "a|b" is the
// same resource as "a%7Cb").
TEST_F(EdgePullOriginRequest, Rfc9110_S4_2_2_TheWholeQueryIsPartOfTheKeyAndReachesTheOrigin) {
  ScriptedOrigin origin([](const ReceivedRequest& r) { return cacheable("for " + r.target); });
  start(origin);
  for (const char* target : {"/s?q=a", "/s?q=b", "/s?q=a", "/s", "/s?q=a|b", "/s?q=a%7Cb"}) {
    auto r = get(target);
    ASSERT_TRUE(r) << target;
  }
  ASSERT_EQ(origin.requests(), 4);
  const std::vector<ReceivedRequest> seen = origin.received();
  EXPECT_EQ(seen[0].target, "/s?q=a");
  EXPECT_EQ(seen[1].target, "/s?q=b");
  EXPECT_EQ(seen[2].target, "/s");
  EXPECT_EQ(seen[3].target, "/s?q=a%7Cb");
  auto b = get("/s?q=b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->body, "for /s?q=b");
  EXPECT_EQ(b->header("Cache-Status").rfind("relais; hit", 0), 0u) << b->header("Cache-Status");
}

// pull-query = keys: only the query-key parameters, as for the manifest, so a
// cache-busting ?v=random costs no origin request.
TEST_F(EdgePullOriginRequest, PullQueryKeysKeepsOnlyTheListedParameters) {
  ScriptedOrigin origin([](const ReceivedRequest& r) { return cacheable("for " + r.target); });
  start(origin, {"--mode", "pull", "--pull-query", "keys", "--query-key", "lang"});
  for (const char* target : {"/k?lang=fr&v=1", "/k?v=2&lang=fr", "/k?v=3"}) ASSERT_TRUE(get(target)) << target;
  ASSERT_EQ(origin.requests(), 2);
  EXPECT_EQ(origin.received()[0].target, "/k?lang=fr");
  EXPECT_EQ(origin.received()[1].target, "/k");
}

// Never an open proxy: an absolute-form target picks a site by its authority
// (RFC 9112 §3.2.2), and an authority no site names gets the unknown-host
// answer (404 on plain HTTP without a default site) whatever Host says; no
// origin is contacted, not even the pull site's own, and never the host the
// target names (here the origin's own address).
TEST_F(EdgePullOriginRequest, Rfc9112_S3_2_2_AbsoluteFormForAnotherHostNeverReachesAnOrigin) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return cacheable("pulled"); });
  dir_.write("sites.conf", "listen = 127.0.0.1:0\nadmin-listen = 127.0.0.1:0\nworkers = 1\naccess-log = off\n"
                           "address-rate = 0\n[site.pull]\nhosts = pull.test\nstore = " + dir_.file("out") +
                           "\nmode = pull\norigin-url = " + origin.base_url() + "\n");
  edge_ = run_edge({RELAIS_EDGE_BIN, "--config", dir_.file("sites.conf")});
  ASSERT_NE(edge_.port, 0);
  auto ask = [&](const std::string& target) {
    RawClient c(edge_.port);
    if (!c.send("GET " + target + " HTTP/1.1\r\nHost: pull.test\r\n\r\n")) return 0;
    auto r = c.read_response();
    return r ? r->status : 0;
  };
  EXPECT_EQ(ask("http://elsewhere.example/x"), 404);
  EXPECT_EQ(ask("http://127.0.0.1:" + std::to_string(origin.port()) + "/x"), 404);
  EXPECT_EQ(origin.requests(), 0);
  // The site's own name in the target is pulled as usual.
  EXPECT_EQ(ask("http://pull.test/x"), 200);
  EXPECT_EQ(origin.requests(), 1);
}
}  // namespace
}  // namespace relais::testing
