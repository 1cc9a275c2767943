// Conditional requests and validation answers on pull-through paths
// (docs/PULL_THROUGH.md): a 304 whose validators name another representation
// never updates what is stored (RFC 9111 §4.3.4); the client's If-Match,
// If-Unmodified-Since, If-None-Match and If-Modified-Since are evaluated in
// the order of RFC 9110 §13.2.2, against the stored response or, on a cold
// key, the origin's answer once its head came, over HTTP/1 and HTTP/2; a 206
// the edge did not ask for is an origin fault (RFC 9110 §15.3.7). Each case
// was found by an outside attack; the scripted origin counts its requests.
#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_pull_fixture.h"
#include "tests/integration/h2/h2_client.h"

namespace relais::testing {
namespace {

constexpr const char* kLastModified = "Tue, 01 Dec 2026 08:00:00 GMT";
constexpr const char* kBefore = "Mon, 30 Nov 2026 08:00:00 GMT";

ScriptedReply tagged(const std::string& body, const std::string& etag, const std::string& cache_control) {
  return ScriptedReply::ok(body, {"Content-Type: text/plain", "Cache-Control: " + cache_control, "ETag: " + etag,
                                  std::string("Last-Modified: ") + kLastModified});
}

class EdgePullConditional : public EdgePullBase {
 protected:
  // Status of a GET of path with these request fields (0: no answer).
  int status_of(const std::string& path, const std::vector<std::string>& fields) {
    auto r = get(path, fields);
    return r ? r->status : 0;
  }
};

// What the origin saw: never a client's precondition (the request is rebuilt).
bool no_client_conditional_reached_the_origin(const ScriptedOrigin& origin) {
  for (const ReceivedRequest& r : origin.received()) {
    if (!r.field("If-Match").empty() || !r.field("If-Unmodified-Since").empty()) return false;
  }
  return true;
}

// RFC 9111 §3, §4.3.4: a 304 is merged into the stored response, and the
// merged response is judged as a new one would be. An origin that sends its
// session cookie on every answer, 304s included, or a 304 making the response
// private: the merged response is that client's alone, never a later hit
// (outside attack: the 304's Set-Cookie went out with every hit for 300 s).
TEST_F(EdgePullConditional, Rfc9111_S3_A304AddingSetCookieOrPrivateIsNeverShared) {
  for (const char* added : {"Set-Cookie: session=alice", "Cache-Control: private, max-age=300"}) {
    SCOPED_TRACE(added);
    ScriptedOrigin origin([&](const ReceivedRequest& r) {
      if (!r.field("If-None-Match").empty()) {
        std::vector<std::string> fields = {"ETag: \"rv\"", added};
        if (std::string(added).rfind("Set-Cookie", 0) == 0) fields.push_back("Cache-Control: max-age=300");
        return ScriptedReply::ok("", fields, 304);
      }
      return tagged("lesson", "\"rv\"", "max-age=0");
    });
    start(origin);
    ASSERT_EQ(status_of("/reval", {}), 200);
    for (int client = 0; client < 3; ++client) {
      auto r = get("/reval");
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 200);
      EXPECT_EQ(r->body, "lesson");
      EXPECT_EQ(r->header("Set-Cookie"), "") << "client " << client;
      EXPECT_NE(r->header("Cache-Status").rfind("relais; hit", 0), 0u) << r->header("Cache-Status");
    }
    // Each later client: a revalidation, then the whole response fetched.
    EXPECT_EQ(origin.requests(), 1 + 3 * 2);
  }
}

// RFC 9111 §4.3.4: the stored "e-1" expired; the origin answers its
// revalidation with a 304 naming "different". That 304 must not update the
// stored response (else the old body goes out under "different", fresh for
// an hour, and If-Range: "different" splices the old bytes into a resumed
// download): the edge fetches the full response once, without validators.
TEST_F(EdgePullConditional, Rfc9111_S4_3_4_A304WithAnotherStrongEtagDoesNotUpdateTheStoredResponse) {
  std::atomic<int> seen{0};
  ScriptedOrigin origin([&](const ReceivedRequest& r) {
    if (++seen == 1) return tagged("old body", "\"e-1\"", "max-age=0");
    if (!r.field("If-None-Match").empty())
      return ScriptedReply::ok("", {"ETag: \"different\"", "Cache-Control: max-age=3600"}, 304);
    return tagged("the new body", "\"different\"", "max-age=3600");
  });
  start(origin);
  auto first = get("/doc");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->body, "old body");
  auto second = get("/doc");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "the new body");
  EXPECT_EQ(second->header("ETag"), "\"different\"");
  ASSERT_EQ(origin.requests(), 3);
  EXPECT_EQ(origin.received()[1].field("If-None-Match"), "\"e-1\"");
  EXPECT_EQ(origin.received()[2].field("If-None-Match"), "");  // once, unconditional
  EXPECT_EQ(origin.received()[2].field("If-Modified-Since"), "");
  // The new response is what is stored: its bytes answer the resumed download.
  auto resumed = get("/doc", {"Range: bytes=4-6", "If-Range: \"different\""});
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->status, 206);
  EXPECT_EQ(resumed->body, "new");
  EXPECT_EQ(resumed->header("Cache-Status").rfind("relais; hit", 0), 0u) << resumed->header("Cache-Status");
  EXPECT_EQ(origin.requests(), 3);
}

// A 304 with no validator at all (an origin leaving out the ETag RFC 9110
// §15.4.5 asks for) answers our conditional on the one stored response: it
// freshens it, with its own fields merged; no second, unconditional fetch.
TEST_F(EdgePullConditional, Rfc9111_S4_3_4_ABare304FreshensTheRevalidatedResponse) {
  std::atomic<int> seen{0};
  ScriptedOrigin origin([&](const ReceivedRequest& r) {
    if (++seen == 1) return tagged("old body", "\"e-1\"", "max-age=0");
    if (!r.field("If-None-Match").empty())
      return ScriptedReply::ok("", {"Cache-Control: max-age=3600", "X-Checked: yes"}, 304);
    return tagged("refetched", "\"e-2\"", "max-age=3600");
  });
  start(origin);
  ASSERT_TRUE(get("/doc"));
  auto second = get("/doc");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "old body");
  EXPECT_EQ(second->header("ETag"), "\"e-1\"");
  EXPECT_EQ(second->header("X-Checked"), "yes");
  ASSERT_EQ(origin.requests(), 2);
  EXPECT_EQ(origin.received()[1].field("If-None-Match"), "\"e-1\"");
  auto third = get("/doc");
  ASSERT_TRUE(third);
  EXPECT_EQ(third->body, "old body");
  EXPECT_EQ(third->header("Cache-Status").rfind("relais; hit", 0), 0u) << third->header("Cache-Status");
  EXPECT_EQ(origin.requests(), 2);
}

// RFC 9111 §4.1, §4.3.1: revalidating a response whose Vary names a request
// field, the edge sends the client's value of it, so the origin judges the
// variant the client asked for (cache-tests conditional-etag-vary-headers).
// Never a credential: a Vary on Cookie does not make the edge send one.
TEST_F(EdgePullConditional, Rfc9111_S4_3_1_ARevalidationCarriesTheFieldsTheStoredVaryNames) {
  std::atomic<int> seen{0};
  ScriptedOrigin origin([&](const ReceivedRequest&) {
    if (++seen == 1)
      return ScriptedReply::ok("v", {"Cache-Control: max-age=0", "ETag: \"e\"", "Vary: Abc, Cookie"});
    return ScriptedReply::ok("", {"ETag: \"e\"", "Cache-Control: max-age=60"}, 304);
  });
  start(origin);
  ASSERT_TRUE(get("/v", {"Abc: 123", "Cookie: s=1"}));
  auto second = get("/v", {"Abc: 123", "Cookie: s=1"});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "v");
  ASSERT_EQ(origin.requests(), 2);
  EXPECT_EQ(origin.received()[1].field("Abc"), "123");
  EXPECT_EQ(origin.received()[1].field("Cookie"), "");
  EXPECT_EQ(origin.received()[1].field("If-None-Match"), "\"e\"");
}

// The same 304 answering a background revalidation (stale-while-revalidate):
// the stale copy is dropped, never freshened; the next request fetches the
// new response. Never the old body under the new tag.
TEST_F(EdgePullConditional, Rfc9111_S4_3_4_ABackgroundRevalidationsMismatched304DropsTheStoredResponse) {
  std::atomic<int> seen{0};
  ScriptedOrigin origin([&](const ReceivedRequest& r) {
    if (++seen == 1) return tagged("old body", "\"e-1\"", "max-age=0, stale-while-revalidate=600");
    if (!r.field("If-None-Match").empty())
      return ScriptedReply::ok("", {"ETag: \"different\"", "Cache-Control: max-age=3600"}, 304);
    return tagged("the new body", "\"different\"", "max-age=3600");
  });
  start(origin);
  ASSERT_TRUE(get("/swr"));
  auto stale = get("/swr");  // served stale at once, revalidated behind it
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->body, "old body");
  EXPECT_EQ(stale->header("ETag"), "\"e-1\"");
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string body = stale->body;
  int old_body_under_the_new_tag = 0;
  while (body != "the new body" && std::chrono::steady_clock::now() < until) {
    auto r = get("/swr");
    ASSERT_TRUE(r);
    body = r->body;
    if (body == "old body" && r->header("ETag") != "\"e-1\"") ++old_body_under_the_new_tag;
    if (body != "the new body") ::poll(nullptr, 0, 20);
  }
  EXPECT_EQ(old_body_under_the_new_tag, 0);
  EXPECT_EQ(body, "the new body");
  auto hit = get("/swr");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->body, "the new body");
  EXPECT_EQ(hit->header("ETag"), "\"different\"");
}

// RFC 9110 §13.2.2 on a stored response: If-Match (strong comparison, "*"),
// If-Unmodified-Since, then If-None-Match, If-Modified-Since; 412 before 304.
TEST_F(EdgePullConditional, Rfc9110_S13_2_2_PreconditionsOnAStoredResponse) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return tagged("stored", "\"t1\"", "max-age=60"); });
  start(origin);
  ASSERT_TRUE(get("/p"));
  struct Row {
    std::vector<std::string> fields;
    int status;
  };
  const std::vector<Row> rows = {
      {{"If-Match: \"zzz\""}, 412},
      {{"If-Match: W/\"t1\""}, 412},  // §13.1.1: a weak tag never matches
      {{"If-Match: \"t1\""}, 200},
      {{"If-Match: *"}, 200},
      {{"If-Match: \"x\", \"t1\""}, 200},
      {{std::string("If-Unmodified-Since: ") + kBefore}, 412},
      {{std::string("If-Unmodified-Since: ") + kLastModified}, 200},
      {{"If-Match: \"t1\"", std::string("If-Unmodified-Since: ") + kBefore}, 200},  // If-Match decides
      {{"If-None-Match: \"t1\""}, 304},
      {{"If-Match: \"zzz\"", "If-None-Match: \"t1\""}, 412},  // step 1 before step 3
      {{std::string("If-Modified-Since: ") + kLastModified}, 304},
      {{std::string("If-Modified-Since: ") + kBefore}, 200},
  };
  for (const Row& row : rows) EXPECT_EQ(status_of("/p", row.fields), row.status) << row.fields[0];
  EXPECT_EQ(origin.requests(), 1);
}

// The same once the stored response was revalidated (a 304 freshened it).
TEST_F(EdgePullConditional, Rfc9110_S13_2_2_PreconditionsOnARevalidatedResponse) {
  ScriptedOrigin origin([](const ReceivedRequest& r) {
    if (r.field("If-None-Match") == "\"t1\"")
      return ScriptedReply::ok("", {"ETag: \"t1\"", "Cache-Control: max-age=0"}, 304);
    return tagged("stored", "\"t1\"", "max-age=0");
  });
  start(origin);
  ASSERT_TRUE(get("/p"));
  auto failed = get("/p", {"If-Match: \"zzz\""});
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 412);
  EXPECT_NE(failed->header("Cache-Status").find("fwd-status=304"), std::string::npos) << failed->header("Cache-Status");
  EXPECT_EQ(status_of("/p", {"If-None-Match: \"t1\""}), 304);
  EXPECT_EQ(status_of("/p", {"If-Match: \"t1\""}), 200);
  EXPECT_EQ(origin.requests(), 4);
}

// RFC 9110 §13.2.2 on a cold key: evaluated against the origin's answer once
// its head came; the origin saw none of them (the request is rebuilt), and
// the response is stored all the same (the next request asks nobody).
TEST_F(EdgePullConditional, Rfc9110_S13_2_2_PreconditionsOnAColdKeyOnceTheHeadIsKnown) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return tagged("from the origin", "\"t1\"", "max-age=60"); });
  start(origin);
  struct Row {
    std::string path;
    std::string field;
    int status;
  };
  const std::vector<Row> rows = {
      {"/a", "If-Match: \"zzz\"", 412},
      {"/b", "If-Match: W/\"t1\"", 412},
      {"/c", std::string("If-Unmodified-Since: ") + kBefore, 412},
      {"/d", "If-None-Match: \"t1\"", 304},
      {"/e", std::string("If-Modified-Since: ") + kLastModified, 304},
      {"/f", "If-Match: \"t1\"", 200},
  };
  int expected_requests = 0;
  for (const Row& row : rows) {
    auto r = get(row.path, {row.field});
    ASSERT_TRUE(r) << row.field;
    EXPECT_EQ(r->status, row.status) << row.field;
    if (row.status == 304) {
      EXPECT_EQ(r->header("ETag"), "\"t1\"");
      EXPECT_EQ(r->body, "");
    }
    auto again = get(row.path);  // the object was fetched whole and stored
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200);
    EXPECT_EQ(again->body, "from the origin");
    EXPECT_EQ(origin.requests(), ++expected_requests) << row.path;
  }
  EXPECT_TRUE(no_client_conditional_reached_the_origin(origin));
  for (const ReceivedRequest& r : origin.received()) EXPECT_EQ(r.field("If-None-Match"), "");
}

// The same over HTTP/2: a stored and a cold key.
TEST_F(EdgePullConditional, Rfc9110_S13_2_2_PreconditionsOverHttp2) {
  ScriptedOrigin origin([](const ReceivedRequest&) { return tagged("from the origin", "\"t1\"", "max-age=60"); });
  start(origin);
  EXPECT_EQ(h2_fetch_one(edge_.port, "GET:/cold-a|if-match=\"zzz\"").status, "412");
  EXPECT_EQ(h2_fetch_one(edge_.port, "GET:/cold-b|if-none-match=\"t1\"").status, "304");
  EXPECT_EQ(h2_fetch_one(edge_.port, std::string("GET:/cold-c|if-unmodified-since=") + kBefore).status, "412");
  EXPECT_EQ(h2_fetch_one(edge_.port, "GET:/cold-a|if-match=W/\"t1\"").status, "412");  // now stored
  EXPECT_EQ(h2_fetch_one(edge_.port, "GET:/cold-b|if-match=\"zzz\"").status, "412");
  EXPECT_EQ(h2_fetch_one(edge_.port, "GET:/cold-c|if-none-match=\"t1\"").status, "304");
  const H2Response whole = h2_fetch_one(edge_.port, "GET:/cold-a|if-match=\"t1\"");
  EXPECT_EQ(whole.status, "200");
  EXPECT_EQ(whole.body, "from the origin");
  EXPECT_EQ(origin.requests(), 3);
}

// RFC 9110 §15.3.7: a 206 answers a Range request, and the edge sent none
// (a cold range is cut from a whole fetch): passed on, its part would pass
// as the whole, or as another range. An origin fault: 502, never stored.
TEST_F(EdgePullConditional, Rfc9110_S15_3_7_A206ToARequestWithoutRangeIsABadGateway) {
  ScriptedOrigin origin([](const ReceivedRequest&) {
    return ScriptedReply::ok(std::string(100, 'p'),
                             {"Content-Range: bytes 0-99/1000", "Cache-Control: max-age=60", "ETag: \"p1\""}, 206);
  });
  start(origin);
  auto plain = get("/part");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 502);
  EXPECT_NE(plain->header("Cache-Status").find("detail=unsolicited-206"), std::string::npos)
      << plain->header("Cache-Status");
  ASSERT_EQ(origin.requests(), 1);
  EXPECT_EQ(origin.received()[0].field("Range"), "");
  // A client's range of a cold key asks the slice it starts in (pull_slices.h,
  // a Range of ours: that 206 is solicited); one too short to slice asks the
  // whole again, without Range, and the 206 to that is the fault.
  auto ranged = get("/part", {"Range: bytes=500-599"});
  ASSERT_TRUE(ranged);
  EXPECT_EQ(ranged->status, 502);
  ASSERT_EQ(origin.requests(), 3);  // never stored
  EXPECT_EQ(origin.received()[1].field("Range").rfind("bytes=0-", 0), 0u) << origin.received()[1].field("Range");
  EXPECT_EQ(origin.received()[2].field("Range"), "");
}

}  // namespace
}  // namespace relais::testing
