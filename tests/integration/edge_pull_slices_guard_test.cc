// Slices against what an outside attack found (docs/PULL_THROUGH.md
// "Slices"): a client's preconditions on a cold sliced Range, later slices
// the origin says not to keep or that are of another representation or
// gone, lengths over pull-max-body, the origin's Age, and read-ahead taking
// the key of a client's own slice. The scripted origin honours Range and
// If-Range (ScriptedReply::ranged); each test changes one answer.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_pull_fixture.h"
#include "tests/integration/h2/h2_client.h"

namespace relais::testing {
namespace {

constexpr const char* kLastModified = "Last-Modified: Wed, 01 Jan 2025 00:00:00 GMT";

class EdgePullSlicesGuard : public EdgePullBase {
 protected:
  void await_stored(double objects) { EXPECT_GE(await_metric("relais_pull_objects", objects), objects); }

  // Requests the origin got for path.
  static int asked(const ScriptedOrigin& origin, const std::string& path) {
    int n = 0;
    for (const ReceivedRequest& r : origin.received()) n += r.target == path ? 1 : 0;
    return n;
  }
};

std::vector<std::string> dated_fields(const std::string& cache_control = "max-age=60") {
  return {"Content-Type: video/mp4", "Cache-Control: " + cache_control, "ETag: \"v1\"", kLastModified};
}

struct PreconditionRow {
  const char* field;
  int status;
};

// RFC 9110 §13.2.2: If-Match, then If-Unmodified-Since (412), then
// If-None-Match, then If-Modified-Since (304); the same tag: the range.
const PreconditionRow kPreconditions[] = {
    {"If-Match: \"old\"", 412},
    {"If-Match: W/\"v1\"", 412},  // §13.1.1: strong comparison
    {"If-Unmodified-Since: Tue, 31 Dec 2024 00:00:00 GMT", 412},
    {"If-None-Match: \"v1\"", 304},
    {"If-Modified-Since: Thu, 02 Jan 2025 00:00:00 GMT", 304},
    {"If-Match: \"v1\"", 206},
};

// Found by an outside attack: a cold key's Range of a sliced object answered
// 206 whatever the client's conditionals said, so a resumed download with
// If-Match of an old tag got a part of the new version.
TEST_F(EdgePullSlicesGuard, Rfc9110_S13_2_2_AColdSlicedRangeAnswersPreconditionsBeforeAnyByte) {
  const std::string body = counted(16 * kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, dated_fields(), req); });
  start(origin);
  int n = 0;
  for (const PreconditionRow& row : kPreconditions) {
    for (const std::size_t at : {std::size_t{5}, 5 * kMiB + 5}) {  // in slice 0, in slice 5
      const std::string path = "/cold-" + std::to_string(n++);
      auto r = get(path, {row.field, range_of(at, at + 9)});
      ASSERT_TRUE(r) << row.field << " " << path;
      EXPECT_EQ(r->status, row.status) << row.field << " at " << at;
      EXPECT_EQ(r->header("Cache-Status").rfind("relais; fwd=uri-miss; fwd-status=206", 0), 0u) << r->header("Cache-Status");
      if (row.status == 206) {
        EXPECT_EQ(r->body, body.substr(at, 10));
      } else {
        EXPECT_EQ(r->body.find(body.substr(at, 10)), std::string::npos);  // no byte of it
      }
      if (row.status == 304) {
        EXPECT_EQ(r->header("ETag"), "\"v1\"");
      }
    }
  }
  // No client conditional reached the origin; each asked only its first slice.
  for (const ReceivedRequest& r : origin.received()) {
    EXPECT_EQ(r.field("If-Match"), "");
    EXPECT_EQ(r.field("If-None-Match"), "");
  }
  EXPECT_EQ(origin.requests(), n);
}

// The same once the head expired (the key is cold again) and over HTTP/2.
TEST_F(EdgePullSlicesGuard, Rfc9110_S13_2_2_AnExpiredSlicedHeadAndHttp2AnswerPreconditionsToo) {
  const std::string body = counted(16 * kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) {
    return ScriptedReply::ranged(body, dated_fields(req.target == "/expired" ? "max-age=0" : "max-age=60"), req);
  });
  start(origin);
  ASSERT_TRUE(get("/expired", {range_of(0, 9)}));
  await_stored(2);
  for (const PreconditionRow& row : kPreconditions) {
    auto r = get("/expired", {row.field, range_of(5 * kMiB, 5 * kMiB + 9)});
    ASSERT_TRUE(r) << row.field;
    EXPECT_EQ(r->status, row.status) << row.field;
    EXPECT_EQ(r->header("Cache-Status").rfind("relais; fwd=stale", 0), 0u) << r->header("Cache-Status");
  }
  const std::string range = "|range=bytes=" + std::to_string(5 * kMiB) + "-" + std::to_string(5 * kMiB + 9);
  EXPECT_EQ(h2_fetch_one(edge_.port, "GET:/h2-a|if-match=\"old\"" + range).status, "412");
  EXPECT_EQ(h2_fetch_one(edge_.port, "GET:/h2-b|if-none-match=\"v1\"" + range).status, "304");
  const H2Response ok = h2_fetch_one(edge_.port, "GET:/h2-c|if-match=\"v1\"" + range);
  EXPECT_EQ(ok.status, "206");
  EXPECT_EQ(ok.body, body.substr(5 * kMiB, 10));
}

// RFC 9111 §3 for every slice, not only the first (found by an outside
// attack: a later slice's no-store, private, Set-Cookie or Vary was stored
// and served to others). Its own client gets its bytes (the same strong ETag
// and range: this representation's), nothing is kept: each request asks again.
TEST_F(EdgePullSlicesGuard, Rfc9111_S3_ALaterSliceNotToKeepReachesItsClientButIsNeverStored) {
  const std::string body = counted(16 * kMiB);
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"/no-store", "Cache-Control: no-store"},
      {"/private", "Cache-Control: private"},
      {"/cookie", "Set-Cookie: session=1"},
      {"/vary", "Vary: Accept-Language"}};
  ScriptedOrigin origin([&](const ReceivedRequest& req) {
    std::vector<std::string> fields = video_fields();
    if (req.field("Range").starts_with("bytes=" + std::to_string(5 * kMiB))) {
      for (const auto& [path, field] : rows) {
        if (path != req.target) continue;
        if (field.starts_with("Cache-Control")) fields.erase(fields.begin() + 1);
        fields.push_back(field);
      }
    }
    return ScriptedReply::ranged(body, fields, req);
  });
  start(origin);
  double stored = 0;
  for (const auto& [path, field] : rows) {
    ASSERT_TRUE(get(path, {range_of(0, 9)}));
    await_stored(stored += 2);  // the head and slice 0
    for (int i = 0; i < 2; ++i) {
      auto r = get(path, {range_of(5 * kMiB + 10, 5 * kMiB + 19)});
      ASSERT_TRUE(r) << field;
      EXPECT_EQ(r->status, 206) << field;
      EXPECT_EQ(r->body, body.substr(5 * kMiB + 10, 10)) << field;
      EXPECT_FALSE(r->has_header("Set-Cookie"));  // the head's fields, sent before the slice
    }
    EXPECT_EQ(asked(origin, path), 3) << field << ": slice 5 was stored";
  }
}

// A later slice of coded bytes (Content-Encoding) is not the identity the
// head describes, and a 416, 404 or 410 says the length or the object is
// gone: the client's answer is cut (its head went out) and the head is
// dropped, so the next request asks afresh instead of getting the head and a
// cut for as long as the head stays fresh (found by an outside attack).
TEST_F(EdgePullSlicesGuard, Rfc9110_S15_5_17_ALaterSliceCodedOrGoneDropsTheHead) {
  const std::string body = counted(16 * kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) {
    if (!req.field("Range").starts_with("bytes=" + std::to_string(5 * kMiB))) return ScriptedReply::ranged(body, video_fields(), req);
    if (req.target == "/gzip") {
      std::vector<std::string> fields = video_fields();
      fields.push_back("Content-Encoding: gzip");
      return ScriptedReply::ranged(body, fields, req);
    }
    if (req.target == "/416") return ScriptedReply::ok("", {"Content-Range: bytes */100"}, 416);
    return ScriptedReply::ok("gone", {"Content-Type: text/plain"}, req.target == "/404" ? 404 : 410);
  });
  start(origin);
  double stored = 0;
  for (const std::string path : {"/gzip", "/416", "/404", "/410"}) {
    ASSERT_TRUE(get(path, {range_of(0, 9)}));
    await_stored(stored += 2);
    RawClient client(edge_.port);
    ASSERT_TRUE(client.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + range_of(5 * kMiB, 5 * kMiB + 9) + "\r\n\r\n"));
    EXPECT_FALSE(client.read_response().has_value()) << path << ": served as a part of the object";
    EXPECT_TRUE(client.wait_closed());
    auto again = get(path, {range_of(0, 9)});
    ASSERT_TRUE(again);
    EXPECT_EQ(again->header("Cache-Status").rfind("relais; fwd=uri-miss", 0), 0u) << path << ": " << again->header("Cache-Status");
    EXPECT_EQ(asked(origin, path), 3) << path;  // slice 0, slice 5, slice 0 again
  }
}

// pull-max-body bounds the body of a whole fetch; a sliced object larger
// than it was served whole from slices after one Range (found by an outside
// attack, as was a first slice announcing 2^64-1 bytes, passed on as the
// Content-Length). Such an object is not sliced: the whole is asked, as
// without slices.
TEST_F(EdgePullSlicesGuard, AnObjectOverPullMaxBodyIsNeverSliced) {
  const std::string body = counted(kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) {
    if (req.target == "/huge" && !req.field("Range").empty()) {
      std::vector<std::string> fields = video_fields();
      fields.push_back("Content-Range: bytes 65536-131071/18446744073709551615");
      return ScriptedReply::ok(body.substr(65536, 65536), fields, 206);
    }
    return ScriptedReply::ranged(body, video_fields(), req);
  });
  start(origin, {"--mode", "pull", "--pull-slice-size", "64K", "--pull-slice-min", "256K", "--pull-max-body", "512K"});
  auto whole = get("/big");
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 502);
  auto part = get("/big2", {range_of(9 * 65536, 9 * 65536 + 9)});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 502) << part->header("Content-Range");
  EXPECT_EQ(part->header("Cache-Status"), "relais; fwd=uri-miss; detail=body-too-large");
  auto huge = get("/huge", {range_of(65536 + 100, 65536 + 199)});
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 502);
  auto head = http_get(edge_.port, "/huge", {}, "HEAD");
  ASSERT_TRUE(head);
  EXPECT_NE(head->header("Content-Length"), "18446744073709551615");
}

// RFC 9111 §4.2.3: the origin's Age is part of a cold sliced answer's, as on
// a whole miss (it said Age: 0 and the next hit Age: 100).
TEST_F(EdgePullSlicesGuard, Rfc9111_S4_2_3_AColdSlicedRangeCarriesTheOriginsAge) {
  const std::string body = counted(16 * kMiB);
  std::vector<std::string> fields = video_fields();
  fields.push_back("Age: 100");
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, fields, req); });
  start(origin);
  auto r = get("/aged", {range_of(5 * kMiB, 5 * kMiB + 9)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_GE(std::stoi(r->header("Age")), 100);
}

// Read-ahead is for the store: with pull-max-keys 2 it took the key of the
// slice the client read next, whose answer was cut at 196608 bytes of 1 MiB
// (found by an outside attack). It now leaves the last key to a client.
TEST_F(EdgePullSlicesGuard, ReadAheadLeavesTheLastKeyToTheClientsOwnSlice) {
  const std::string body = counted(kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, video_fields(), req); });
  start(origin, {"--mode", "pull", "--pull-slice-size", "64K", "--pull-slice-min", "256K", "--pull-max-keys", "2"});
  ASSERT_TRUE(get("/film", {range_of(0, 0)}));
  await_stored(2);
  auto whole = get("/film");
  ASSERT_TRUE(whole) << "the answer was cut";
  EXPECT_EQ(whole->status, 200);
  EXPECT_TRUE(whole->body == body) << whole->body.size() << " bytes";
  EXPECT_EQ(await_metric("relais_pull_responses_total{outcome=\"error\"}", 0), 0);
}

// With pull-max-keys 1 a range over several slices still cannot have its
// next slice's key while the last one's fetch ends for the store: the answer
// is cut. It was logged as the hit it began as and never counted; it is an
// error in the metrics and the access log.
TEST_F(EdgePullSlicesGuard, AnAnswerCutForWantOfAKeyIsCountedAsAnError) {
  const std::string body = counted(kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, video_fields(), req); });
  start(origin, {"--mode", "pull", "--pull-slice-size", "64K", "--pull-slice-min", "256K", "--pull-max-keys", "1",
                  "--access-log", dir_.file("access.log")});
  RawClient client(edge_.port);
  ASSERT_TRUE(client.send("GET /keys HTTP/1.1\r\nHost: localhost\r\n" + range_of(3 * 65536, 6 * 65536) + "\r\n\r\n"));
  // Slice 3's part ends with its last byte, inside that fetch's callback:
  // its key is still held when slice 4 is joined.
  ASSERT_FALSE(client.read_response().has_value()) << "slice 4 had a key (then this test needs another way to cut)";
  EXPECT_GE(await_metric("relais_pull_responses_total{outcome=\"error\"}", 1), 1);
  const std::string log = await_log("pull-error");
  EXPECT_NE(log.find("\"GET /keys HTTP/1.1\" 206 65536 \"-\" \"-\" pull-error"), std::string::npos) << log;
}

}  // namespace
}  // namespace relais::testing
