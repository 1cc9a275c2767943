// Range requests on pull-through paths (docs/PULL_THROUGH.md, RFC 9110 §14):
// a stored pulled object answers 206 (one range or multipart/byteranges), 416
// and If-Range as published content does, over HTTP/1 and HTTP/2; a cold key
// is fetched whole (one origin fetch, no Range sent) and its client gets its
// range as the body passes. The scripted origin counts its requests.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_pull_fixture.h"
#include "tests/integration/gate.h"
#include "tests/integration/h2/h2_client.h"

namespace relais::testing {
namespace {

constexpr const char* kLastModified = "Tue, 01 Dec 2026 08:00:00 GMT";
const std::string kBody = "0123456789abcdefghij";  // 20 bytes

ScriptedReply validated(const std::string& body, const std::string& cache_control = "max-age=60") {
  return ScriptedReply::ok(body, {"Content-Type: text/plain", "Cache-Control: " + cache_control, "ETag: \"v1\"",
                                  std::string("Last-Modified: ") + kLastModified});
}

class EdgePullRange : public EdgePullBase {
 protected:
  // An edge whose origin serves kBody at every path, and /r already stored.
  void start_stored(ScriptedOrigin& origin) {
    start(origin);
    auto first = get("/r");
    ASSERT_TRUE(first);
    ASSERT_EQ(first->status, 200);
  }
  // Slices off (pull-slice-size 0): a cold key's Range is cut from one whole
  // fetch, which the origin sees without a Range (edge_pull_slices_test.cc
  // has slices on).
  void start_whole(ScriptedOrigin& origin) { start(origin, {"--mode", "pull", "--pull-slice-size", "0"}); }
};

bool no_range_reached_the_origin(const ScriptedOrigin& origin) {
  for (const ReceivedRequest& r : origin.received()) {
    if (!r.field("Range").empty() || !r.field("If-Range").empty()) return false;
  }
  return true;
}

// ---- A stored object (RFC 9110 §14.2, §15.3.7) ----

TEST_F(EdgePullRange, Rfc9110_S14_2_OneRangeOfAStoredObjectIs206) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return validated(kBody); });
  start_stored(origin);
  auto r = get("/r", {"Range: bytes=2-5"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, "2345");
  EXPECT_EQ(r->header("Content-Range"), "bytes 2-5/20");
  EXPECT_EQ(r->header("Content-Length"), "4");
  EXPECT_EQ(r->header("Content-Type"), "text/plain");
  EXPECT_EQ(r->header("ETag"), "\"v1\"");  // §15.3.7: the 200's validators and Cache-Control
  EXPECT_EQ(r->header("Cache-Control"), "max-age=60");
  EXPECT_EQ(r->header("Cache-Status").rfind("relais; hit; ttl=", 0), 0u) << r->header("Cache-Status");
  EXPECT_TRUE(r->has_header("Age"));
  auto suffix = get("/r", {"Range: bytes=-3"});
  ASSERT_TRUE(suffix);
  EXPECT_EQ(suffix->status, 206);
  EXPECT_EQ(suffix->body, "hij");
  EXPECT_EQ(suffix->header("Content-Range"), "bytes 17-19/20");
  EXPECT_EQ(origin.requests(), 1);
  EXPECT_TRUE(no_range_reached_the_origin(origin));
}

TEST_F(EdgePullRange, Rfc9110_S14_6_SeveralRangesAreMultipartByteranges) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return validated(kBody); });
  start_stored(origin);
  auto r = get("/r", {"Range: bytes=0-1,10-12"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  const std::string type = r->header("Content-Type");
  ASSERT_EQ(type.rfind("multipart/byteranges; boundary=", 0), 0u) << type;
  const std::string boundary = type.substr(type.find('=') + 1);
  const std::string expected = "\r\n--" + boundary + "\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/20\r\n\r\n01" +
                               "\r\n--" + boundary + "\r\nContent-Type: text/plain\r\nContent-Range: bytes 10-12/20\r\n\r\nabc" +
                               "\r\n--" + boundary + "--\r\n";
  EXPECT_EQ(r->body, expected);
  EXPECT_EQ(r->header("Content-Length"), std::to_string(expected.size()));
  EXPECT_FALSE(r->has_header("Content-Range"));
  EXPECT_EQ(origin.requests(), 1);
}

TEST_F(EdgePullRange, Rfc9110_S15_5_17_UnsatisfiableRangeIs416WithTheLength) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return validated(kBody); });
  start_stored(origin);
  auto r = get("/r", {"Range: bytes=20-"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 416);
  EXPECT_EQ(r->header("Content-Range"), "bytes */20");
  EXPECT_EQ(r->header("Content-Length"), "0");
  EXPECT_EQ(r->body, "");
  EXPECT_FALSE(r->has_header("Content-Type"));
  EXPECT_EQ(r->header("Cache-Status").rfind("relais; hit", 0), 0u) << r->header("Cache-Status");
  EXPECT_EQ(origin.requests(), 1);
}

// §14.2: an unknown unit or a syntax error is ignored: the whole 200.
TEST_F(EdgePullRange, Rfc9110_S14_2_UnusableRangeGetsTheWhole) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return validated(kBody); });
  start_stored(origin);
  for (const char* value : {"items=0-1", "bytes=5-2", "bytes=x"}) {
    auto r = get("/r", {std::string("Range: ") + value});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << value;
    EXPECT_EQ(r->body, kBody) << value;
  }
}

TEST_F(EdgePullRange, Rfc9110_S13_1_5_IfRangeHonoursTheRangeOnlyForTheStoredValidator) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return validated(kBody); });
  start_stored(origin);
  struct Row {
    std::string if_range;
    int status;
  };
  const std::vector<Row> rows = {
      {"\"v1\"", 206},                         // strong match
      {"\"v2\"", 200},                         // another version: the whole
      {"W/\"v1\"", 200},                       // a weak tag never matches (strong comparison)
      {kLastModified, 206},                    // the exact Last-Modified date
      {"Tue, 01 Dec 2026 08:00:01 GMT", 200},  // any other date
      {"not a date", 200},
  };
  for (const Row& row : rows) {
    auto r = get("/r", {"Range: bytes=0-3", "If-Range: " + row.if_range});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, row.status) << row.if_range;
    EXPECT_EQ(r->body, row.status == 206 ? "0123" : kBody) << row.if_range;
  }
  EXPECT_EQ(origin.requests(), 1);
}

// §14.2: range handling is defined for GET only (as for published content).
TEST_F(EdgePullRange, Rfc9110_S14_2_HeadIgnoresRange) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return validated(kBody); });
  start_stored(origin);
  auto r = http_get(edge_.port, "/r", {"Range: bytes=2-5"}, "HEAD");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Content-Length"), "20");
  EXPECT_FALSE(r->has_header("Content-Range"));
  EXPECT_EQ(r->header("Cache-Status").rfind("relais; hit", 0), 0u);
}

// A stored object served after a revalidation (304) or stale on an origin
// error answers the Range the same way.
TEST_F(EdgePullRange, Rfc9111_S4_3_4_RangeOfARevalidatedObject) {
  ScriptedOrigin origin([](const ReceivedRequest& req) {
    if (req.field("If-None-Match") == "\"v1\"") return ScriptedReply::ok("", {"ETag: \"v1\"", "Cache-Control: max-age=0"}, 304);
    return validated(kBody, "max-age=0");
  });
  start_stored(origin);
  auto r = get("/r", {"Range: bytes=10-11"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, "ab");
  EXPECT_EQ(r->header("Content-Range"), "bytes 10-11/20");
  EXPECT_EQ(r->header("Cache-Status"), "relais; fwd=stale; fwd-status=304; ttl=0");
  ASSERT_EQ(origin.requests(), 2);
  EXPECT_TRUE(no_range_reached_the_origin(origin));
}

TEST_F(EdgePullRange, Rfc5861_S4_RangeOfAStaleObjectWhenTheOriginIsDown) {
  auto origin = std::make_unique<ScriptedOrigin>(
      [](const ReceivedRequest&) { return validated(kBody, "max-age=0, stale-if-error=600"); });
  start_stored(*origin);
  origin.reset();  // the port now refuses connections
  auto r = get("/r", {"Range: bytes=19-"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, "j");
  EXPECT_EQ(r->header("Content-Range"), "bytes 19-19/20");
  EXPECT_EQ(r->header("Cache-Status").rfind("relais; fwd=stale", 0), 0u) << r->header("Cache-Status");
}

TEST_F(EdgePullRange, Rfc9110_S14_RangesOfAStoredObjectOverHttp2) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return validated(kBody); });
  start_stored(origin);
  const std::vector<H2Response> got = h2_fetch(
      edge_.port, {"GET:/r|range=bytes=2-5", "GET:/r|range=bytes=0-1,10-12", "GET:/r|range=bytes=30-",
                   "GET:/r|range=bytes=0-3|if-range=\"v2\""});
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].status, "206");
  EXPECT_EQ(got[0].body, "2345");
  EXPECT_EQ(got[0].header("content-range"), "bytes 2-5/20");
  EXPECT_EQ(got[0].header("cache-status").rfind("relais; hit; ttl=", 0), 0u) << got[0].header("cache-status");
  EXPECT_NE(got[0].header("age"), "");
  EXPECT_EQ(got[1].status, "206");
  EXPECT_EQ(got[1].header("content-type").rfind("multipart/byteranges; boundary=", 0), 0u);
  EXPECT_EQ(got[1].header("content-length"), std::to_string(got[1].body.size()));
  EXPECT_NE(got[1].body.find("Content-Range: bytes 10-12/20\r\n\r\nabc\r\n"), std::string::npos) << got[1].body;
  EXPECT_EQ(got[2].status, "416");
  EXPECT_EQ(got[2].header("content-range"), "bytes */20");
  EXPECT_EQ(got[3].status, "200");
  EXPECT_EQ(got[3].body, kBody);
  EXPECT_EQ(origin.requests(), 1);
}

// ---- A cold key: fetched whole, the client's range cut as it passes ----
// (with slices on, an origin answering 200 to the slice asked is served so too)

TEST_F(EdgePullRange, Rfc9110_S14_2_ColdRangeIsCutFromTheWholeFetchWhichIsStored) {
  const std::string body = counted(300 * 1024);
  ScriptedOrigin origin([&](const ReceivedRequest&) { return validated(body); });
  start_whole(origin);
  auto r = get("/video", {"Range: bytes=200000-200099"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, body.substr(200000, 100));
  EXPECT_EQ(r->header("Content-Range"), "bytes 200000-200099/" + std::to_string(body.size()));
  EXPECT_EQ(r->header("Content-Length"), "100");
  EXPECT_EQ(r->header("Cache-Status"), "relais; fwd=uri-miss; fwd-status=200");
  EXPECT_TRUE(r->has_header("Age"));
  // The whole object was stored: the next requests ask the origin nothing.
  // The range's answer ended before the fetch did (ColdRangeEndsBeforeTheFetchDoes):
  // once stored, not joining the fetch still in flight.
  ASSERT_GE(await_metric("relais_pull_objects", 1), 1);
  auto whole = get("/video");
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  EXPECT_EQ(whole->body, body);
  EXPECT_EQ(whole->header("Cache-Status").rfind("relais; hit", 0), 0u) << whole->header("Cache-Status");
  EXPECT_EQ(origin.requests(), 1);
  EXPECT_TRUE(no_range_reached_the_origin(origin));
}

// The range's answer ends with its last byte, not with the fetch: the origin
// stalls after 64 KiB of 256 KiB, and the client of bytes 100-199 has its 206
// and the next answer on its connection (HTTP/1 answers one at a time).
TEST_F(EdgePullRange, ColdRangeEndsBeforeTheFetchDoes) {
  const std::string body = counted(256 * 1024);
  ScriptedReply stalls = validated(body);
  stalls.stall_after = stalls.bytes.find("\r\n\r\n") + 4 + 64 * 1024;
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return req.target == "/stalls" ? stalls : validated(kBody); });
  start(origin);
  RawClient client(edge_.port);
  ASSERT_TRUE(client.send("GET /stalls HTTP/1.1\r\nHost: localhost\r\nRange: bytes=100-199\r\n\r\n"));
  auto r = client.read_response();
  ASSERT_TRUE(r) << "no answer while the origin stalls";
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, body.substr(100, 100));
  ASSERT_TRUE(client.send("GET /next HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  auto next = client.read_response();
  ASSERT_TRUE(next) << "the connection still waits on the stalled fetch";
  EXPECT_EQ(next->body, kBody);
  origin.release_stalls();
  EXPECT_EQ(origin.requests(), 2);
}

// A client joining a fetch whose head came and whose window holds its range
// is answered within the join (before the gateway returns), and its
// connection goes on while the fetch stalls.
TEST_F(EdgePullRange, ColdRangeAlreadyInTheWindowIsAnsweredOnJoining) {
  const std::string body = counted(256 * 1024);
  ScriptedReply stalls = validated(body);
  stalls.stall_after = stalls.bytes.find("\r\n\r\n") + 4 + 64 * 1024;
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return req.target == "/big" ? stalls : validated(kBody); });
  start_whole(origin);
  RawClient whole(edge_.port);
  ASSERT_TRUE(whole.send("GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  EXPECT_GE(await_metric("relais_pull_responses_total{outcome=\"miss\"}", 1), 1);  // its head came
  RawClient ranged(edge_.port);
  ASSERT_TRUE(ranged.send("GET /big HTTP/1.1\r\nHost: localhost\r\nRange: bytes=10-19\r\n\r\n"));
  auto r = ranged.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, body.substr(10, 10));
  ASSERT_TRUE(ranged.send("GET /next HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  auto next = ranged.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, kBody);
  origin.release_stalls();
  EXPECT_EQ(origin.requests(), 2);
}

TEST_F(EdgePullRange, Rfc9111_S4_ColdRangeAndWholeClientsShareOneFetch) {
  const std::string body = counted(200 * 1024);
  Gate gate;
  ScriptedOrigin origin([&](const ReceivedRequest&) {
    gate.wait();  // until every client waits on the fetch
    return validated(body);
  });
  start_whole(origin);
  const std::vector<std::string> ranges = {"", "bytes=0-9", "", "bytes=150000-", "bytes=-5", ""};
  std::vector<std::unique_ptr<RawClient>> clients;
  for (const std::string& range : ranges) {
    clients.push_back(std::make_unique<RawClient>(edge_.port));
    std::string request = "GET /shared HTTP/1.1\r\nHost: localhost\r\n";
    if (!range.empty()) request += "Range: " + range + "\r\n";
    ASSERT_TRUE(clients.back()->send(request + "\r\n"));
  }
  EXPECT_GE(await_metric("relais_pull_waiters", ranges.size() + 1), ranges.size() + 1);  // and the store's fill
  gate.open();
  const std::vector<std::string> expected = {body, body.substr(0, 10), body, body.substr(150000), body.substr(body.size() - 5),
                                             body};
  for (std::size_t i = 0; i < clients.size(); ++i) {
    auto r = clients[i]->read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, ranges[i].empty() ? 200 : 206) << i;
    EXPECT_EQ(r->body, expected[i]) << i;
  }
  EXPECT_EQ(origin.requests(), 1);
  EXPECT_TRUE(no_range_reached_the_origin(origin));
  auto hit = get("/shared", {"Range: bytes=5-6"});
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->body, body.substr(5, 2));
  EXPECT_EQ(origin.requests(), 1);
}

// §14.2: without a length (a chunked origin) a 206 cannot be framed as the
// body arrives: the whole 200, which a server may always answer.
TEST_F(EdgePullRange, Rfc9110_S14_2_ColdRangeOfAChunkedOriginGetsTheWhole) {
  ScriptedOrigin origin([](const ReceivedRequest&) {
    ScriptedReply r;
    r.bytes = "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    return r;
  });
  start(origin);
  auto r = get("/chunked", {"Range: bytes=0-1"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello world");
  // Stored with its length: now the range is served.
  auto hit = get("/chunked", {"Range: bytes=0-1"});
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->status, 206);
  EXPECT_EQ(hit->body, "he");
  EXPECT_EQ(origin.requests(), 1);
}

TEST_F(EdgePullRange, Rfc9110_S15_5_17_ColdUnsatisfiableRangeIs416AndTheObjectIsStored) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return validated(kBody); });
  start(origin);
  auto r = get("/short", {"Range: bytes=100-"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 416);
  EXPECT_EQ(r->header("Content-Range"), "bytes */20");
  EXPECT_EQ(r->header("Content-Length"), "0");
  EXPECT_EQ(r->header("Cache-Status"), "relais; fwd=uri-miss; fwd-status=200");
  auto whole = get("/short");
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->body, kBody);
  EXPECT_EQ(origin.requests(), 1);
}

TEST_F(EdgePullRange, Rfc9110_S13_1_5_ColdIfRangeComparesTheOriginsValidator) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return validated(kBody); });
  start(origin);
  auto other = get("/a", {"Range: bytes=0-3", "If-Range: \"old\""});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_EQ(other->body, kBody);
  auto same = get("/b", {"Range: bytes=0-3", "If-Range: \"v1\""});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 206);
  EXPECT_EQ(same->body, "0123");
  EXPECT_EQ(origin.requests(), 2);
}

// Several ranges of a body still arriving: the whole 200 (§14.2); the stored
// object then answers them as multipart.
TEST_F(EdgePullRange, Rfc9110_S14_2_ColdSeveralRangesGetTheWhole) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return validated(kBody); });
  start(origin);
  auto r = get("/m", {"Range: bytes=0-1,5-6"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, kBody);
  auto hit = get("/m", {"Range: bytes=0-1,5-6"});
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->status, 206);
  EXPECT_EQ(hit->header("Content-Type").rfind("multipart/byteranges", 0), 0u);
  EXPECT_EQ(origin.requests(), 1);
}

TEST_F(EdgePullRange, Rfc9110_S14_ColdRangeOverHttp2) {
  const std::string body = counted(100 * 1024);
  ScriptedOrigin origin([&](const ReceivedRequest&) { return validated(body); });
  start(origin);
  const H2Response r = h2_fetch_one(edge_.port, "GET:/cold|range=bytes=50000-50009");
  EXPECT_EQ(r.status, "206");
  EXPECT_EQ(r.body, body.substr(50000, 10));
  EXPECT_EQ(r.header("content-range"), "bytes 50000-50009/" + std::to_string(body.size()));
  EXPECT_EQ(r.header("content-length"), "10");
  EXPECT_EQ(r.header("cache-status"), "relais; fwd=uri-miss; fwd-status=200");
  const H2Response hit = h2_fetch_one(edge_.port, "GET:/cold");
  EXPECT_EQ(hit.status, "200");
  EXPECT_EQ(hit.body, body);
  EXPECT_EQ(origin.requests(), 1);
}

}  // namespace
}  // namespace relais::testing
