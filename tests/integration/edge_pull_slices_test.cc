// Slices of large pulled objects (docs/PULL_THROUGH.md "Slices", RFC 9110
// §14, like nginx's slice module): a Range on a cold key asks the origin for
// the aligned slice holding its first byte; an object of pull-slice-min bytes
// or more with a strong ETag is then stored and fetched slice by slice. The
// scripted origin honours Range and If-Range (ScriptedReply::ranged) and
// counts the requests and bytes it sent.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_pull_fixture.h"
#include "tests/integration/gate.h"
#include "tests/integration/h2/h2_client.h"

namespace relais::testing {
namespace {

class EdgePullSlices : public EdgePullBase {
 protected:
  // The head and the slices a first answer stores come once its fetch ends.
  void await_stored(double objects) {
    EXPECT_GE(await_metric("relais_pull_objects", objects), objects);
  }
};

TEST_F(EdgePullSlices, Rfc9110_S14_SeekIntoTheMiddleFetchesOneSliceNotTheWhole) {
  const std::string body = counted(64 * kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, video_fields(), req); });
  start(origin);
  const std::size_t at = 32 * kMiB + 1000;
  auto r = get("/video.mp4", {range_of(at, at + 99)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, body.substr(at, 100));
  EXPECT_EQ(r->header("Content-Range"), "bytes 33555432-33555531/67108864");
  EXPECT_EQ(r->header("Content-Length"), "100");
  EXPECT_EQ(r->header("ETag"), "\"v1\"");
  EXPECT_EQ(r->header("Content-Type"), "video/mp4");
  EXPECT_EQ(r->header("Cache-Status"), "relais; fwd=uri-miss; fwd-status=206");
  ASSERT_EQ(origin.requests(), 1);
  const ReceivedRequest asked = origin.received()[0];
  EXPECT_EQ(asked.field("Range"), "bytes=33554432-34603007");  // the aligned slice holding byte `at`
  EXPECT_EQ(asked.field("Accept-Encoding"), "");                 // ranges of the identity
  EXPECT_LT(origin.bytes_sent(), 2 * kMiB);                      // one slice, not the file from its start
  // A second client for the same range: from the table, the origin asked nothing.
  await_stored(2);  // the head and the slice
  auto again = get("/video.mp4", {range_of(at, at + 99)});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 206);
  EXPECT_EQ(again->body, body.substr(at, 100));
  EXPECT_EQ(again->header("Cache-Status").rfind("relais; hit; ttl=", 0), 0u) << again->header("Cache-Status");
  // HEAD and a client's conditional are answered from the head alone.
  auto head = http_get(edge_.port, "/video.mp4", {}, "HEAD");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("Content-Length"), "67108864");
  auto not_modified = get("/video.mp4", {"If-None-Match: \"v1\"", range_of(at, at + 99)});
  ASSERT_TRUE(not_modified);
  EXPECT_EQ(not_modified->status, 304);  // §13.2.2: the conditional before the Range
  EXPECT_EQ(origin.requests(), 1);
}

// Freshness is the head's: a stale head is a cold key again, whose first
// slice is asked without validators; the same ETag finds the other slices stored.
TEST_F(EdgePullSlices, Rfc9111_S4_2_AStaleHeadAsksItsSliceAgainAndKeepsTheOthers) {
  const std::string body = counted(16 * kMiB);
  const std::vector<std::string> fields = {"Content-Type: video/mp4", "Cache-Control: max-age=0", "ETag: \"v1\""};
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, fields, req); });
  start(origin);
  ASSERT_TRUE(get("/stale.mp4", {range_of(kMiB - 5, kMiB + 4)}));  // slices 0 and 1
  await_stored(3);
  ASSERT_EQ(origin.requests(), 2);
  auto r = get("/stale.mp4", {range_of(kMiB - 5, kMiB + 4)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, body.substr(kMiB - 5, 10));
  EXPECT_EQ(r->header("Cache-Status"), "relais; fwd=stale; fwd-status=206");
  EXPECT_EQ(origin.requests(), 3);  // slice 0 again (it says the ETag), slice 1 from the table
  EXPECT_EQ(origin.received()[2].field("If-None-Match"), "");
}

// RFC 9111 §4.2.4 for a sliced object: once its origin is down, a stale head
// allowed on error (pull-stale-grace) answers from the slices it has, without
// asking the origin (a video keeps playing through an origin outage).
TEST_F(EdgePullSlices, Rfc9111_S4_2_4_OriginDownAStaleHeadServesItsStoredSlices) {
  const std::string body = counted(16 * kMiB);
  const std::vector<std::string> fields = {"Content-Type: video/mp4", "Cache-Control: max-age=0", "ETag: \"v1\""};
  std::atomic<bool> down{false};
  ScriptedOrigin origin([&](const ReceivedRequest& req) {
    return down ? ScriptedReply::ok("busy", {"Cache-Control: no-store"}, 503) : ScriptedReply::ranged(body, fields, req);
  });
  start(origin, {"--mode", "pull", "--pull-origin-fails", "1", "--pull-origin-down-time", "60s", "--pull-stale-grace", "1h"});
  ASSERT_TRUE(get("/outage.mp4", {range_of(kMiB - 5, kMiB + 4)}));  // slices 0 and 1
  await_stored(3);
  ASSERT_EQ(origin.requests(), 2);
  down = true;
  // The stale head asks its slice again: the 503 marks the origin down.
  ASSERT_TRUE(get("/outage.mp4", {range_of(kMiB - 5, kMiB + 4)}));
  EXPECT_EQ(origin.requests(), 3);
  for (int i = 0; i < 3; ++i) {
    auto r = get("/outage.mp4", {range_of(kMiB - 5, kMiB + 4)});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 206);
    EXPECT_EQ(r->body, body.substr(kMiB - 5, 10));
    EXPECT_EQ(r->header("Cache-Status").rfind("relais; fwd=stale; ttl=", 0), 0u) << r->header("Cache-Status");
    EXPECT_NE(r->header("Cache-Status").find("detail=origin-down"), std::string::npos) << r->header("Cache-Status");
  }
  EXPECT_EQ(origin.requests(), 3) << "a down origin is not asked for slices that are stored";
}

// Purge of the path drops the head and its slices (they are counted); the
// next request is a miss again.
TEST_F(EdgePullSlices, AdminPurgeDropsTheHeadAndItsSlices) {
  const std::string body = counted(16 * kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, video_fields(), req); });
  start(origin);
  ASSERT_TRUE(get("/purged.mp4", {range_of(kMiB - 5, kMiB + 4)}));  // slices 0 and 1
  await_stored(3);
  auto purged = http_get(edge_.admin_port, "/purge?path=/purged.mp4", {"Authorization: Bearer secret-token"}, "POST");
  ASSERT_TRUE(purged);
  EXPECT_EQ(purged->body, "purged 3\n");
  auto r = get("/purged.mp4", {range_of(10, 19)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, body.substr(10, 10));
  EXPECT_EQ(r->header("Cache-Status").rfind("relais; fwd=uri-miss", 0), 0u) << r->header("Cache-Status");
  EXPECT_EQ(origin.requests(), 3);
}

TEST_F(EdgePullSlices, Rfc9110_S13_1_5_ARangeAcrossASliceBoundaryFetchesTheNextSliceWithIfRange) {
  const std::string body = counted(16 * kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, video_fields(), req); });
  start(origin);
  const std::size_t first = kMiB - 600;
  const std::size_t last = kMiB + 599;
  auto r = get("/video.mp4", {range_of(first, last)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, body.substr(first, 1200));
  EXPECT_EQ(r->header("Content-Range"), "bytes 1047976-1049175/16777216");
  const std::vector<ReceivedRequest> asked = origin.received();
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_EQ(asked[0].field("Range"), "bytes=0-1048575");
  EXPECT_EQ(asked[0].field("If-Range"), "");
  EXPECT_EQ(asked[1].field("Range"), "bytes=1048576-2097151");
  EXPECT_EQ(asked[1].field("If-Range"), "\"v1\"");  // a changed object answers 200, not a part of another version
  EXPECT_LT(origin.bytes_sent(), 3 * kMiB);
}

// A GET without Range of a sliced object: the 200 made of every slice in
// order, the stored ones from the table, the others fetched as it reads.
TEST_F(EdgePullSlices, Rfc9110_S15_3_1_AWholeGetOfASlicedObjectStreamsEverySlice) {
  const std::string body = counted(9 * kMiB + 123);
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, video_fields(), req); });
  start(origin);
  auto part = get("/v", {range_of(0, 9)});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, body.substr(0, 10));
  await_stored(2);
  auto whole = get("/v");
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  EXPECT_EQ(whole->header("Content-Length"), std::to_string(body.size()));
  EXPECT_FALSE(whole->has_header("Content-Range"));
  EXPECT_TRUE(whole->body == body) << "the body differs (" << whole->body.size() << " bytes)";
  EXPECT_EQ(origin.requests(), 10);  // slice 0 once, then the 9 others (the last of 123 bytes)
  // Now every slice is stored: a range anywhere asks the origin nothing.
  await_stored(11);
  auto tail = get("/v", {"Range: bytes=-5"});
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail->status, 206);
  EXPECT_EQ(tail->body, body.substr(body.size() - 5));
  EXPECT_EQ(origin.requests(), 10);
}

// §14.2: an origin that ignores Range answers 200: served and stored whole as
// without slices.
TEST_F(EdgePullSlices, Rfc9110_S14_2_AnOriginIgnoringRangeIsServedAndStoredWhole) {
  const std::string body = counted(2 * kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest&) { return ScriptedReply::ok(body, video_fields()); });
  start(origin);
  auto r = get("/whole", {range_of(1500000, 1500099)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, body.substr(1500000, 100));
  EXPECT_EQ(r->header("Cache-Status"), "relais; fwd=uri-miss; fwd-status=200");
  await_stored(1);
  auto hit = get("/whole");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->status, 200);
  EXPECT_TRUE(hit->body == body);
  EXPECT_EQ(hit->header("Cache-Status").rfind("relais; hit", 0), 0u) << hit->header("Cache-Status");
  EXPECT_EQ(origin.requests(), 1);
}

// An object no larger than a slice: the 206 of the slice asked is the whole
// object, answered and stored as its 200 would be.
TEST_F(EdgePullSlices, AnObjectWithinTheFirstSliceIsStoredWholeFromIt) {
  const std::string body = counted(300 * 1024);
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, video_fields(), req); });
  start(origin);
  auto r = get("/small", {range_of(200000, 200099)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, body.substr(200000, 100));
  EXPECT_EQ(r->header("Content-Range"), "bytes 200000-200099/307200");
  EXPECT_EQ(r->header("Cache-Status"), "relais; fwd=uri-miss; fwd-status=206");
  ASSERT_EQ(origin.requests(), 1);
  EXPECT_EQ(origin.received()[0].field("Range"), "bytes=0-1048575");
  await_stored(1);
  auto hit = get("/small");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->status, 200);
  EXPECT_TRUE(hit->body == body);
  EXPECT_FALSE(hit->has_header("Content-Range"));
  EXPECT_EQ(hit->header("Cache-Status").rfind("relais; hit", 0), 0u) << hit->header("Cache-Status");
  EXPECT_EQ(origin.requests(), 1);
}

// An object under pull-slice-min, larger than a slice: the slice's answer says
// its length, and the whole of it is asked for and stored as without slices.
TEST_F(EdgePullSlices, AnObjectUnderTheMinimumIsAskedAgainWhole) {
  const std::string body = counted(3 * kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, video_fields(), req); });
  start(origin);
  auto r = get("/mid", {range_of(2 * kMiB + 5, 2 * kMiB + 104)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, body.substr(2 * kMiB + 5, 100));
  const std::vector<ReceivedRequest> asked = origin.received();
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_EQ(asked[0].field("Range"), "bytes=2097152-3145727");
  EXPECT_EQ(asked[1].field("Range"), "");
  await_stored(1);
  auto hit = get("/mid");
  ASSERT_TRUE(hit);
  EXPECT_TRUE(hit->body == body);
  EXPECT_EQ(origin.requests(), 2);
}

// The origin changes the object between two slices: the If-Range of the
// second gets a 200 of the new version. The client's head was sent: its
// connection is cut; the head is dropped, the next request starts afresh.
TEST_F(EdgePullSlices, Rfc9110_S13_1_5_AChangedETagBetweenSlicesCutsTheClientAndDropsTheHead) {
  const std::string v1 = counted(10 * kMiB, 0);
  const std::string v2 = counted(10 * kMiB, 1);
  std::atomic<bool> changed{false};
  ScriptedOrigin origin([&](const ReceivedRequest& req) {
    if (!req.field("If-Range").empty()) changed = true;  // the second slice's request
    return changed ? ScriptedReply::ranged(v2, video_fields("\"v2\""), req)
                   : ScriptedReply::ranged(v1, video_fields("\"v1\""), req);
  });
  start(origin);
  RawClient client(edge_.port);
  ASSERT_TRUE(client.send("GET /changing HTTP/1.1\r\nHost: localhost\r\n" + range_of(kMiB - 10, kMiB + 9) + "\r\n\r\n"));
  auto cut = client.read_response();
  EXPECT_FALSE(cut.has_value()) << "a body mixing two versions was sent whole";
  EXPECT_TRUE(client.wait_closed());
  // Slice 1 was asked once or twice: fetched ahead for the store, and by the
  // client again when the first answer had gone before it got there.
  const int before = origin.requests();
  EXPECT_GE(before, 2);
  EXPECT_LE(before, 3);
  auto fresh = get("/changing", {range_of(kMiB - 10, kMiB + 9)});
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->status, 206);
  EXPECT_EQ(fresh->header("ETag"), "\"v2\"");
  EXPECT_EQ(fresh->body, v2.substr(kMiB - 10, 20));
  EXPECT_EQ(fresh->header("Cache-Status").rfind("relais; fwd=uri-miss", 0), 0u) << fresh->header("Cache-Status");
  EXPECT_EQ(origin.requests(), before + 2);  // slices 0 and 1 of the new version
}

TEST_F(EdgePullSlices, Rfc9111_S4_TwoClientsOfAColdRangeShareOneSliceFetch) {
  const std::string body = counted(16 * kMiB);
  Gate gate;
  ScriptedOrigin origin([&](const ReceivedRequest& req) {
    gate.wait();  // until both clients wait on the fetch
    return ScriptedReply::ranged(body, video_fields(), req);
  });
  start(origin);
  std::vector<std::unique_ptr<RawClient>> clients;
  const std::vector<std::pair<std::size_t, std::size_t>> ranges = {{5 * kMiB + 10, 5 * kMiB + 19},
                                                                   {5 * kMiB + 100, 5 * kMiB + 199}};
  for (const auto& [first, last] : ranges) {
    clients.push_back(std::make_unique<RawClient>(edge_.port));
    ASSERT_TRUE(clients.back()->send("GET /shared HTTP/1.1\r\nHost: localhost\r\n" + range_of(first, last) + "\r\n\r\n"));
  }
  EXPECT_GE(await_metric("relais_pull_waiters", 3), 3);  // both clients and the store's fill
  gate.open();
  for (std::size_t i = 0; i < clients.size(); ++i) {
    auto r = clients[i]->read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 206) << i;
    EXPECT_EQ(r->body, body.substr(ranges[i].first, ranges[i].second - ranges[i].first + 1)) << i;
  }
  EXPECT_EQ(origin.requests(), 1);
  EXPECT_LT(origin.bytes_sent(), 2 * kMiB);
}

// The head is stored on the first slice's head: a client coming while that
// slice still arrives is a hit that joins its fetch rather than asking again.
TEST_F(EdgePullSlices, Rfc9111_S4_AHitWhileTheFirstSliceArrivesJoinsItsFetch) {
  const std::string body = counted(16 * kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) {
    ScriptedReply reply = ScriptedReply::ranged(body, video_fields(), req);
    reply.stall_after = reply.bytes.find("\r\n\r\n") + 4 + 100;  // 100 bytes of the slice, then a pause
    reply.resume_after_stall = true;
    return reply;
  });
  start(origin);
  auto first = get("/p", {range_of(0, 9)});
  ASSERT_TRUE(first) << "no answer while the slice stalls";
  EXPECT_EQ(first->body, body.substr(0, 10));
  auto second = get("/p", {range_of(20, 29)});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 206);
  EXPECT_EQ(second->body, body.substr(20, 10));
  EXPECT_EQ(second->header("Cache-Status").rfind("relais; hit", 0), 0u) << second->header("Cache-Status");
  EXPECT_EQ(origin.requests(), 1);
  origin.release_stalls();
}

// A client that asks for the whole file and does not read: the slice it is
// stuck in and the two fetched ahead of it, never the file. Slices of 8 MiB,
// more than the socket buffers between the edge and the client hold, so the
// client stays in slice 0.
TEST_F(EdgePullSlices, AClientThatDoesNotReadPullsAtMostTwoSlicesAhead) {
  const std::string body = counted(64 * kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, video_fields(), req); });
  start(origin, {"--mode", "pull", "--pull-slice-size", "8M"});
  RawClient stuck(edge_.port, "127.0.0.1", 4096);
  ASSERT_TRUE(stuck.send("GET /film HTTP/1.1\r\nHost: localhost\r\nRange: bytes=0-\r\n\r\n"));
  await_stored(4);  // the head, slice 0 (read from) and slices 1 and 2 (ahead)
  EXPECT_EQ(origin.requests(), 3);
  EXPECT_LT(origin.bytes_sent(), 25 * kMiB);
  std::set<std::string> asked;  // the two ahead leave together: in either order
  for (const ReceivedRequest& r : origin.received()) asked.insert(r.field("Range"));
  EXPECT_EQ(asked, (std::set<std::string>{"bytes=0-8388607", "bytes=8388608-16777215", "bytes=16777216-25165823"}));
}

TEST_F(EdgePullSlices, Rfc9110_S14_SlicesOverHttp2) {
  const std::string body = counted(16 * kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, video_fields(), req); });
  start(origin);
  const std::size_t at = 12 * kMiB - 5;
  const H2Response r = h2_fetch_one(edge_.port, "GET:/h2|range=bytes=" + std::to_string(at) + "-" + std::to_string(at + 9));
  EXPECT_EQ(r.status, "206");
  EXPECT_EQ(r.body, body.substr(at, 10));
  EXPECT_EQ(r.header("content-range"), "bytes 12582907-12582916/16777216");
  EXPECT_EQ(r.header("content-length"), "10");
  EXPECT_EQ(origin.requests(), 2);  // slices 11 and 12
  await_stored(3);
  const H2Response hit = h2_fetch_one(edge_.port, "GET:/h2|range=bytes=" + std::to_string(at) + "-" + std::to_string(at + 9));
  EXPECT_EQ(hit.status, "206");
  EXPECT_EQ(hit.body, body.substr(at, 10));
  EXPECT_EQ(hit.header("cache-status").rfind("relais; hit", 0), 0u) << hit.header("cache-status");
  EXPECT_EQ(origin.requests(), 2);
}

// pull-slice-size 0: a cold key's Range is cut from one whole fetch as before.
TEST_F(EdgePullSlices, SlicesOffSendsNoRange) {
  const std::string body = counted(9 * kMiB);
  ScriptedOrigin origin([&](const ReceivedRequest& req) { return ScriptedReply::ranged(body, video_fields(), req); });
  start(origin, {"--mode", "pull", "--pull-slice-size", "0"});
  auto r = get("/off", {range_of(10, 19)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, body.substr(10, 10));
  ASSERT_GE(origin.requests(), 1);
  EXPECT_EQ(origin.received()[0].field("Range"), "");
}

}  // namespace
}  // namespace relais::testing
