// Unsafe methods on pull paths (docs/PULL_THROUGH.md, "Passes"): POST, PUT,
// PATCH and DELETE passed to the origin with their body read whole, never
// stored, and RFC 9111 §4.4's invalidation after a 2xx/3xx. The real
// relais-edge (one worker) in front of a ScriptedOrigin that counts and
// records its requests, bodies included.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_pull_fixture.h"
#include "tests/integration/h2/h2_client.h"
#include "tests/integration/refused_port.h"

namespace relais::testing {
namespace {

constexpr const char* kHost = "www.example.org";

// One request on a fresh connection: Host www.example.org, the given lines,
// a Content-Length body when `body` is set.
std::optional<HttpResponse> send(std::uint16_t port, const std::string& method, const std::string& path,
                                 const std::vector<std::string>& headers = {},
                                 const std::optional<std::string>& body = std::nullopt) {
  RawClient c(port);
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: " + kHost + "\r\n";
  for (const std::string& h : headers) request += h + "\r\n";
  if (body) request += "Content-Length: " + std::to_string(body->size()) + "\r\n";
  request += "\r\n" + body.value_or("");
  if (!c.send(request)) return std::nullopt;
  return c.read_response(method == "HEAD");
}

// An origin that stores nothing itself: GETs are cacheable and say how many
// GETs of that path it answered; every other method gets `unsafe(request)`.
class CountingOrigin {
 public:
  using Unsafe = std::function<ScriptedReply(const ReceivedRequest&)>;
  explicit CountingOrigin(Unsafe unsafe = [](const ReceivedRequest&) { return ScriptedReply::ok("done", {}, 200); })
      : unsafe_(std::move(unsafe)), origin_([this](const ReceivedRequest& r) {
          if (r.method != "GET") return unsafe_(r);
          std::lock_guard lock(mutex_);
          return cacheable(r.target + " #" + std::to_string(++gets_[r.target]));
        }) {}
  ScriptedOrigin& origin() { return origin_; }
  int gets(const std::string& path) {
    std::lock_guard lock(mutex_);
    return gets_[path];
  }

 private:
  Unsafe unsafe_;
  std::mutex mutex_;
  std::map<std::string, int> gets_;
  ScriptedOrigin origin_;
};

class EdgePullPass : public EdgePullBase {
 protected:
  std::optional<HttpResponse> post(const std::string& path, const std::string& body,
                                   const std::vector<std::string>& headers = {}) {
    return send(edge_.port, "POST", path, headers, body);
  }
  std::string body_of(const std::string& path) {
    const auto r = get(path);
    return r ? r->body : "(no answer)";
  }
};

TEST_F(EdgePullPass, PostReachesTheOriginOnceWithItsBodyAndIsNeverStored) {
  ScriptedOrigin origin([](const ReceivedRequest& r) {
    if (r.method != "POST") return cacheable("page");
    // Cacheable fields on purpose: a pass is never stored whatever it says.
    return ScriptedReply::ok("thanks " + r.body, {"Set-Cookie: MoodleSession=new", "Cache-Control: max-age=600"});
  });
  start(origin, {"--mode", "pull", "--access-log", dir_.file("access.log")});
  const std::vector<std::string> fields = {"Content-Type: application/x-www-form-urlencoded",
                                           "Cookie: MoodleSession=abc", "Authorization: Basic dTpw",
                                           "X-Forwarded-For: 6.6.6.6", "Referer: http://evil"};
  auto r = post("/login/index.php?x=1", "user=u&pass=p", fields);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "thanks user=u&pass=p");
  EXPECT_EQ(r->header("Set-Cookie"), "MoodleSession=new");
  EXPECT_EQ(r->header("Cache-Status"), "relais; fwd=method; fwd-status=200");
  ASSERT_EQ(origin.requests(), 1);
  const ReceivedRequest seen = origin.received()[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/login/index.php?x=1");
  EXPECT_EQ(seen.body, "user=u&pass=p");
  EXPECT_EQ(seen.field("Content-Length"), "13");
  EXPECT_EQ(seen.field("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(seen.field("Cookie"), "MoodleSession=abc");
  EXPECT_EQ(seen.field("Authorization"), "Basic dTpw");
  // Rebuilt by us: no other client field, no framing of the client's.
  EXPECT_EQ(seen.field("X-Forwarded-For"), "");
  EXPECT_EQ(seen.field("Referer"), "");
  EXPECT_EQ(seen.field("Transfer-Encoding"), "");
  EXPECT_EQ(seen.field("Expect"), "");
  auto again = post("/login/index.php?x=1", "user=u&pass=p", fields);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "thanks user=u&pass=p");
  EXPECT_EQ(origin.requests(), 2);  // not stored: the origin again
  EXPECT_GE(await_metric("relais_pull_responses_total{outcome=\"pass\"}", 2), 2);
  EXPECT_NE(await_log("pull-pass").find("\"POST /login/index.php?x=1 HTTP/1.1\" 200"), std::string::npos);
}

TEST_F(EdgePullPass, ChunkedBodyReachesTheOriginWithItsLength) {
  ScriptedOrigin origin([](const ReceivedRequest& r) { return ScriptedReply::ok("got " + r.body, {}, 201); });
  start(origin);
  RawClient c(edge_.port);
  ASSERT_TRUE(c.send(std::string("PUT /doc HTTP/1.1\r\nHost: ") + kHost +
                     "\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "got hello world");
  ASSERT_EQ(origin.requests(), 1);
  const ReceivedRequest seen = origin.received()[0];
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.field("Content-Length"), "11");
  EXPECT_EQ(seen.field("Transfer-Encoding"), "");
  // The connection goes on: the next request on it is answered.
  ASSERT_TRUE(c.send(std::string("DELETE /doc HTTP/1.1\r\nHost: ") + kHost + "\r\n\r\n"));
  auto d = c.read_response();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 201);
  EXPECT_EQ(origin.received().at(1).method, "DELETE");
}

// RFC 9110 §10.1.1: the client waits for 100 Continue before its body.
TEST_F(EdgePullPass, ExpectContinueGetsAHundredThenTheAnswer) {
  ScriptedOrigin origin([](const ReceivedRequest& r) { return ScriptedReply::ok("got " + r.body); });
  start(origin);
  RawClient c(edge_.port);
  ASSERT_TRUE(c.send(std::string("POST /upload HTTP/1.1\r\nHost: ") + kHost +
                     "\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto hundred = c.read_response();
  ASSERT_TRUE(hundred);
  EXPECT_EQ(hundred->status, 100);
  ASSERT_TRUE(c.send("abcde"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "got abcde");
}

TEST_F(EdgePullPass, Rfc9111_S4_4_SuccessfulUnsafeMethodsInvalidateTheTarget) {
  CountingOrigin counting([](const ReceivedRequest& r) {
    return ScriptedReply::ok("", {}, r.method == "DELETE" ? 204 : 200);
  });
  start(counting.origin());
  EXPECT_EQ(body_of("/x"), "/x #1");
  EXPECT_EQ(body_of("/x"), "/x #1");  // a hit
  int expected = 1;
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    auto r = send(edge_.port, method, "/x", {}, std::string("v"));
    ASSERT_TRUE(r) << method;
    EXPECT_EQ(r->status, std::string(method) == "DELETE" ? 204 : 200) << method;
    ++expected;
    EXPECT_EQ(body_of("/x"), "/x #" + std::to_string(expected)) << "after " << method;  // the origin again
    EXPECT_EQ(body_of("/x"), "/x #" + std::to_string(expected)) << "after " << method;  // stored again
  }
  EXPECT_EQ(counting.gets("/x"), expected);
}

// §4.4 invalidates the target URI: /search, not /search?q=1 (another
// resource, pull-query = whole). A POST must not empty a whole search space.
TEST_F(EdgePullPass, Rfc9111_S4_4_TheTargetOnlyNotItsQueries) {
  CountingOrigin counting([](const ReceivedRequest&) { return ScriptedReply::ok("", {}, 200); });
  start(counting.origin());
  EXPECT_EQ(body_of("/search"), "/search #1");
  EXPECT_EQ(body_of("/search?q=1"), "/search?q=1 #1");
  auto r = send(edge_.port, "POST", "/search", {}, std::string("v"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body_of("/search"), "/search #2");          // invalidated
  EXPECT_EQ(body_of("/search?q=1"), "/search?q=1 #1");  // still a hit
}

// A value the edge took but no origin request may carry (an Authorization
// over 4 KB): the client's fault, 400, and the origin sees nothing.
TEST_F(EdgePullPass, AValueUnfitForTheOriginIs400NotABadGateway) {
  CountingOrigin counting([](const ReceivedRequest&) { return ScriptedReply::ok("", {}, 200); });
  start(counting.origin());
  auto r = send(edge_.port, "POST", "/f", {"Authorization: Bearer " + std::string(5000, 'a')}, std::string("v"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(counting.origin().requests(), 0);
}

// RFC 9110 §9.2.1: a method the edge does not know is not safe: passed as
// sent (M-SEARCH, PROPFIND, the application's own) and, answered 2xx, it
// invalidates its target as POST does. CONNECT and TRACE stay refused.
TEST_F(EdgePullPass, Rfc9111_S4_4_AnExtensionMethodIsPassedAndInvalidates) {
  std::string seen;
  CountingOrigin counting([&seen](const ReceivedRequest& r) {
    if (r.method != "GET") seen = r.method;
    return ScriptedReply::ok("", {}, 200);
  });
  start(counting.origin());
  EXPECT_EQ(body_of("/x"), "/x #1");
  auto r = send(edge_.port, "M-SEARCH", "/x", {}, std::string(""));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(seen, "M-SEARCH");
  EXPECT_EQ(body_of("/x"), "/x #2");  // invalidated
  auto trace = send(edge_.port, "TRACE", "/x", {}, std::string(""));
  ASSERT_TRUE(trace);
  EXPECT_EQ(trace->status, 405);
}

TEST_F(EdgePullPass, Rfc9111_S4_4_LocationAndContentLocationOnTheSameHostOnly) {
  std::string origin_authority;
  CountingOrigin counting([&origin_authority](const ReceivedRequest& r) {
    if (r.target == "/form")
      return ScriptedReply::ok("", {"Location: /a", "Content-Location: http://" + std::string(kHost) + "/b"}, 303);
    if (r.target == "/form2")
      return ScriptedReply::ok("", {"Location: http://" + origin_authority + "/d", "Content-Location: http://other.example/c"}, 201);
    return ScriptedReply::ok("", {}, 200);
  });
  origin_authority = "127.0.0.1:" + std::to_string(counting.origin().port());
  start(counting.origin());
  for (const char* path : {"/a", "/b", "/c", "/d"}) EXPECT_EQ(body_of(path), std::string(path) + " #1");
  auto r = post("/form", "x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 303);
  EXPECT_EQ(r->header("Location"), "/a");
  auto r2 = post("/form2", "y");
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 201);
  EXPECT_EQ(body_of("/a"), "/a #2");  // a relative Location
  EXPECT_EQ(body_of("/b"), "/b #2");  // the client's host
  EXPECT_EQ(body_of("/d"), "/d #2");  // the origin's authority, as we asked it
  EXPECT_EQ(body_of("/c"), "/c #1");  // another host: never
  EXPECT_GE(await_metric("relais_pull_invalidated_total", 3), 3);
}

TEST_F(EdgePullPass, Rfc9111_S4_4_AnErrorAnswerInvalidatesNothing) {
  CountingOrigin counting([](const ReceivedRequest&) { return ScriptedReply::ok("broken", {}, 500); });
  start(counting.origin());
  EXPECT_EQ(body_of("/x"), "/x #1");
  auto r = post("/x", "v");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "broken");
  EXPECT_EQ(r->header("Cache-Status"), "relais; fwd=method; fwd-status=500");
  EXPECT_EQ(body_of("/x"), "/x #1");  // still the stored one
}

// Every worker has its own table; the disk is shared: the invalidation
// reaches them all. Fresh connections spread over both workers, each holding
// its copy (the origin's, or the disk's); after the POST no GET, on either
// worker, is one of the copies stored before it.
TEST_F(EdgePullPass, Rfc9111_S4_4_InvalidationReachesEveryWorkerAndTheDisk) {
  CountingOrigin counting;
  edge_ = start_edge(dir_, {"--mode", "pull", "--origin-url", counting.origin().base_url(), "--workers", "2",
                            "--address-rate", "0"});
  ASSERT_NE(edge_.port, 0);
  for (int i = 0; i < 16; ++i) ASSERT_EQ(body_of("/x").rfind("/x #", 0), 0u);
  const int before = counting.gets("/x");  // the copies stored are "/x #1" to "/x #before"
  auto r = post("/x", "v");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  for (int i = 0; i < 16; ++i) {
    const std::string body = body_of("/x");
    ASSERT_EQ(body.rfind("/x #", 0), 0u) << body;
    EXPECT_GT(std::stoi(body.substr(4)), before) << "a copy stored before the POST was served";
  }
}

TEST_F(EdgePullPass, BodyOverPullMaxRequestBodyIs413AndNeverReachesTheOrigin) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return ScriptedReply::ok("no"); });
  start(origin, {"--mode", "pull", "--pull-max-request-body", "1K"});
  RawClient c(edge_.port);
  ASSERT_TRUE(c.send(std::string("POST /f HTTP/1.1\r\nHost: ") + kHost + "\r\nContent-Length: 2000\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(c.wait_closed());
  // Chunked: the size line that would pass the bound is refused before its data.
  RawClient chunked(edge_.port);
  ASSERT_TRUE(chunked.send(std::string("POST /f HTTP/1.1\r\nHost: ") + kHost +
                           "\r\nTransfer-Encoding: chunked\r\n\r\n200\r\n" + std::string(512, 'a') + "\r\n401\r\n"));
  auto rc = chunked.read_response();
  ASSERT_TRUE(rc);
  EXPECT_EQ(rc->status, 413);
  EXPECT_TRUE(chunked.wait_closed());
  // Within the bound it passes.
  auto ok = post("/f", std::string(1024, 'b'));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  ASSERT_EQ(origin.requests(), 1);
  EXPECT_EQ(origin.received()[0].body.size(), 1024u);
}

TEST_F(EdgePullPass, ABodyThatStopsMidwayIsCutAndTheOriginNeverSeesIt) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return ScriptedReply::ok("no"); });
  start(origin, {"--mode", "pull", "--header-timeout", "300ms"});
  RawClient c(edge_.port);
  ASSERT_TRUE(c.send(std::string("POST /f HTTP/1.1\r\nHost: ") + kHost + "\r\nContent-Length: 100\r\n\r\nonly ten.."));
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(origin.requests(), 0);
  auto after = post("/f", "whole");  // the edge goes on
  ASSERT_TRUE(after);
  EXPECT_EQ(origin.requests(), 1);
  EXPECT_EQ(origin.received()[0].body, "whole");
}

TEST_F(EdgePullPass, ManifestPathsAndPathsThatDoNotPullStay405) {
  ScriptedOrigin origin([](const ReceivedRequest& r) { return ScriptedReply::ok("pulled " + r.method); });
  start(origin, {"--mode", "both", "--pull-prefix", "/moodle/"});
  auto published = post("/index.html", "x");
  ASSERT_TRUE(published);
  EXPECT_EQ(published->status, 405);
  EXPECT_EQ(published->header("Allow"), "GET, HEAD, OPTIONS");
  auto elsewhere = post("/other", "x");
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->status, 405);
  auto pulled = post("/moodle/form", "x");
  ASSERT_TRUE(pulled);
  EXPECT_EQ(pulled->status, 200);
  EXPECT_EQ(pulled->body, "pulled POST");
  EXPECT_EQ(origin.requests(), 1);
}

// OPTIONS on a pull path (a CORS preflight) is the application's answer,
// with the preflight's fields; it is safe: nothing is invalidated. Published
// paths and "*" keep the edge's own answer.
TEST_F(EdgePullPass, OptionsOnAPullPathIsTheOriginsAnswer) {
  CountingOrigin counting([](const ReceivedRequest&) {
    return ScriptedReply::ok("", {"Access-Control-Allow-Methods: POST", "Access-Control-Allow-Origin: http://app.example"}, 204);
  });
  start(counting.origin(), {"--mode", "both", "--pull-prefix", "/api/"});
  EXPECT_EQ(body_of("/api/x"), "/api/x #1");
  auto r = send(edge_.port, "OPTIONS", "/api/x",
                {"Origin: http://app.example", "Access-Control-Request-Method: POST",
                 "Access-Control-Request-Headers: content-type", "Cookie: s=1"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->header("Access-Control-Allow-Methods"), "POST");
  EXPECT_EQ(r->header("Cache-Status"), "relais; fwd=method; fwd-status=204");
  const std::vector<ReceivedRequest> seen = counting.origin().received();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].method, "OPTIONS");
  EXPECT_EQ(seen[1].field("Origin"), "http://app.example");
  EXPECT_EQ(seen[1].field("Access-Control-Request-Method"), "POST");
  EXPECT_EQ(seen[1].field("Access-Control-Request-Headers"), "content-type");
  EXPECT_EQ(body_of("/api/x"), "/api/x #1");  // safe: still stored
  for (const char* target : {"/index.html", "*"}) {
    auto own = send(edge_.port, "OPTIONS", target);
    ASSERT_TRUE(own) << target;
    EXPECT_EQ(own->header("Allow"), "GET, HEAD, OPTIONS") << target;
  }
  EXPECT_EQ(counting.origin().requests(), 2);
}

TEST_F(EdgePullPass, PullMaxRequestBodyZeroKeeps405) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return ScriptedReply::ok("no"); });
  start(origin, {"--mode", "pull", "--pull-max-request-body", "0"});
  auto r = post("/form", "x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  auto d = send(edge_.port, "DELETE", "/form");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 405);
  auto o = send(edge_.port, "OPTIONS", "/form");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->header("Allow"), "GET, HEAD, OPTIONS");  // the edge's own answer
  EXPECT_EQ(origin.requests(), 0);
}

// The origin drops the POST: an error of ours, never a stale copy of the
// GET (a stored answer to GET is no answer to a POST).
TEST_F(EdgePullPass, OriginFailureIs502NotStale) {
  CountingOrigin counting([](const ReceivedRequest&) {
    ScriptedReply r = ScriptedReply::ok("never");
    r.drop_after = 0;
    return r;
  });
  start(counting.origin(), {"--mode", "pull", "--pull-stale-grace", "1h"});
  EXPECT_EQ(body_of("/x"), "/x #1");
  auto r = post("/x", "v");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  EXPECT_EQ(r->header("Cache-Status"), "relais; fwd=method; detail=dropped");
}

// A POST the origin may have received is never sent to another origin (it
// would be posted twice); one whose connection never opened may be.
TEST_F(EdgePullPass, APostSentIsNeverRetriedOnAnotherOrigin) {
  ScriptedOrigin first([](const ReceivedRequest&) {
    ScriptedReply r = ScriptedReply::ok("never");
    r.drop_after = 0;  // read (and counted), then closed without a byte
    return r;
  });
  ScriptedOrigin second([](const ReceivedRequest& r) { return ScriptedReply::ok("second " + r.body); });
  edge_ = start_edge(dir_, {"--mode", "pull", "--origin-url", first.base_url(), "--origin-url", second.base_url(),
                            "--workers", "1", "--address-rate", "0"});
  ASSERT_NE(edge_.port, 0);
  auto r = post("/form", "once");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  EXPECT_EQ(first.requests(), 1);
  EXPECT_EQ(second.requests(), 0);
  // Its 503 is the client's answer too: the origin had the POST.
  ScriptedOrigin busy([](const ReceivedRequest&) { return ScriptedReply::ok("busy", {}, 503); });
  ScriptedOrigin spare([](const ReceivedRequest&) { return ScriptedReply::ok("spare"); });
  edge_ = start_edge(dir_, {"--mode", "pull", "--origin-url", busy.base_url(), "--origin-url", spare.base_url(),
                            "--workers", "1", "--address-rate", "0"});
  auto b = post("/form", "once");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, 503);
  EXPECT_EQ(busy.requests(), 1);
  EXPECT_EQ(spare.requests(), 0);
}

TEST_F(EdgePullPass, APostWhoseConnectionNeverOpenedGoesToTheNextOrigin) {
  ScriptedOrigin second([](const ReceivedRequest& r) { return ScriptedReply::ok("second " + r.body); });
  edge_ = start_edge(dir_, {"--mode", "pull", "--origin-url", refused_url(), "--origin-url", second.base_url(),
                            "--workers", "1", "--address-rate", "0"});
  ASSERT_NE(edge_.port, 0);
  auto r = post("/form", "once");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "second once");
  EXPECT_EQ(second.requests(), 1);
}

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

TEST_F(EdgePullPass, OverHttp2APostIsPassedAndInvalidates) {
  CountingOrigin counting([](const ReceivedRequest& r) { return ScriptedReply::ok("got " + r.body, {"Set-Cookie: s=1"}); });
  start(counting.origin());
  EXPECT_EQ(h2_fetch_one(edge_.port, "GET:/x").body, "/x #1");
  EXPECT_EQ(h2_fetch_one(edge_.port, "GET:/x").body, "/x #1");
  const std::string body(20000, 'q');  // two DATA frames
  const H2Response r = h2_fetch_one(edge_.port, "POST:/x|content-type=text/plain|cookie=a=1|cookie=|cookie=b=2|~body=" + hex(body));
  EXPECT_EQ(r.status, "200");
  EXPECT_EQ(r.body, "got " + body);
  EXPECT_EQ(r.header("set-cookie"), "s=1");
  EXPECT_EQ(r.header("cache-status"), "relais; fwd=method; fwd-status=200");
  const std::vector<ReceivedRequest> seen = counting.origin().received();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].method, "POST");
  EXPECT_EQ(seen[1].body, body);
  EXPECT_EQ(seen[1].field("Content-Type"), "text/plain");
  EXPECT_EQ(seen[1].field("Cookie"), "a=1; b=2");  // RFC 9113 §8.2.3: crumbs joined, the empty one adds nothing
  EXPECT_EQ(h2_fetch_one(edge_.port, "GET:/x").body, "/x #2");  // §4.4
}

TEST_F(EdgePullPass, OverHttp2ABodyOverTheBoundIs413) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return ScriptedReply::ok("no"); });
  start(origin, {"--mode", "pull", "--pull-max-request-body", "1K"});
  const H2Response r = h2_fetch_one(edge_.port, "POST:/x|~body=" + hex(std::string(2000, 'z')));
  EXPECT_EQ(r.status, "413");
  EXPECT_EQ(origin.requests(), 0);
}

// A declared content-length over the bound is a 413 at once, before any of
// its DATA is read (RFC 9110 §15.5.14); here none is ever sent.
TEST_F(EdgePullPass, OverHttp2ADeclaredLengthOverTheBoundIs413AtOnce) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return ScriptedReply::ok("no"); });
  start(origin, {"--mode", "pull", "--pull-max-request-body", "1K"});
  const H2Response r = h2_fetch_one(edge_.port, "POST:/x|content-length=5000000|~open");
  EXPECT_EQ(r.status, "413");
  EXPECT_EQ(origin.requests(), 0);
}

// An HTTP/2 connection holds at most one request's worth of body bytes
// (pull-max-request-body), as an HTTP/1 connection does: a second body begun
// while the first is unfinished is refused (REFUSED_STREAM, RFC 9113 §8.7:
// nothing was forwarded, the client may send it again); the first goes on.
// 100 streams buffering a body each made one address hold 100 times it.
TEST_F(EdgePullPass, OverHttp2AConnectionHoldsOneRequestsWorthOfBody) {
  ScriptedOrigin origin([](const ReceivedRequest& r) { return ScriptedReply::ok("got " + std::to_string(r.body.size())); });
  start(origin, {"--mode", "pull", "--pull-max-request-body", "1K"});
  const ProcessResult r = run_h2_client({"attack", std::to_string(edge_.port), "two-bodies", "700"});
  EXPECT_NE(r.out.find("reset_second=7"), std::string::npos) << r.out;  // REFUSED_STREAM
  EXPECT_NE(r.out.find("response 0 status=200"), std::string::npos) << r.out;
  ASSERT_EQ(origin.requests(), 1);
  EXPECT_EQ(origin.received()[0].target, "/up1");
  EXPECT_EQ(origin.received()[0].body.size(), 700u);
}

}  // namespace
}  // namespace relais::testing
