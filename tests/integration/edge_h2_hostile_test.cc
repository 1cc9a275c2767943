// relais-edge over h2c against the findings of an outside attack on its
// HTTP/2 server: each a client (tests/integration/h2/h2_client.py, raw
// frames, or RawClient bytes) that the edge used to let through or to
// mistreat, after which a legitimate stream is still served.
#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"
#include "tests/integration/h2/h2_client.h"

namespace relais::testing {
namespace {

// The access log once it holds `needle` (workers hand their lines over about
// once a second), or what it holds at the deadline.
std::string log_with(const TempDir& dir, const std::string& needle) {
  std::string log;
  for (const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
       log.find(needle) == std::string::npos && std::chrono::steady_clock::now() < until; ::poll(nullptr, 0, 20)) {
    std::ifstream in(dir.file("access.log"));
    log.assign(std::istreambuf_iterator<char>(in), {});
  }
  return log;
}

double slow_or_stalled(const RunningEdge& edge) {
  return metric(edge.admin_port, "relais_errors_total{kind=\"send_timeout\"}") +
         metric(edge.admin_port, "relais_errors_total{kind=\"slow_reader\"}");
}

// A client that opens its stream window a byte at a time always makes
// progress, so the send timeout never fires; the timer that checks the
// minimum rate was pushed back by every WINDOW_UPDATE, so it never ran either.
TEST(EdgeH2SlowReader, AWindowDribbledOpenIsCutAtTheMinimumRate) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  // A rate no 1-byte DATA frame per round trip reaches; no stall (each frame is progress).
  RunningEdge edge = start_edge(dir, {"--send-min-rate", "1M", "--send-min-rate-grace", "1s", "--send-timeout", "60s"});
  ProcessResult r = run_h2_client({"attack", std::to_string(edge.port), "window-dribble", "15"});
  EXPECT_EQ(fact(r.out, "dribble_goaway"), "11") << r.out;  // GOAWAY(ENHANCE_YOUR_CALM), then close
  EXPECT_EQ(fact(r.out, "dribble_closed"), "True") << r.out;
  EXPECT_GE(metric(edge.admin_port, "relais_errors_total{kind=\"slow_reader\"}"), 1);
  EXPECT_EQ(h2_fetch_one(edge.port, "GET:/cours/style.css").status, "200");
}

// Nothing pending, nothing to measure: an idle connection ends at the
// keep-alive timeout with GOAWAY(NO_ERROR), never as a slow reader.
TEST(EdgeH2SlowReader, AnIdleConnectionIsNotASlowReader) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir, {"--send-min-rate", "1M", "--send-min-rate-grace", "1s", "--keepalive-timeout", "3s"});
  ProcessResult r = run_h2_client({"fetch", std::to_string(edge.port), "GET:/cours/style.css", "--wait-goaway"});
  EXPECT_NE(r.out.find("response 0 status=200"), std::string::npos) << r.out;
  EXPECT_EQ(fact(r.out, "goaway"), "0") << r.out;
  EXPECT_EQ(slow_or_stalled(edge), 0);
}

// python-h2 (as others) answers each DATA frame with a stream and a
// connection WINDOW_UPDATE: the budget earned one per DATA frame, so a long
// download was cut by GOAWAY(ENHANCE_YOUR_CALM). A flood with nothing sent still is.
TEST(EdgeH2Budget, TwoWindowUpdatesPerDataFrameAreLegalAndAFloodIsNot) {
  TempDir dir;
  const std::map<std::string, std::string> files = standard_tree();
  ASSERT_TRUE(publish_tree(dir, files));
  RunningEdge edge = start_edge(dir, {"--http2-max-control-frames", "100"});
  ProcessResult r = run_h2_client({"fetch", std::to_string(edge.port), "GET:/videos/big.bin"});
  EXPECT_NE(r.out.find("response 0 status=200 length=" + std::to_string(files.at("videos/big.bin").size())), std::string::npos)
      << r.out.substr(0, 2000);
  EXPECT_EQ(fact(r.out, "goaway"), "-");
  ProcessResult flood = run_h2_client({"attack", std::to_string(edge.port), "window-update-flood", "5000"});
  EXPECT_EQ(fact(flood.out, "goaway"), "11") << flood.out;
}

// The request body bound is per connection: nghttp2 hands back the window of
// the DATA it discards, so stream after stream could send 64 KiB each.
TEST(EdgeH2Bodies, RequestBodiesAreBoundedPerConnection) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir);
  ProcessResult r = run_h2_client({"attack", std::to_string(edge.port), "post-bodies", std::to_string(4 << 20)});
  EXPECT_EQ(fact(r.out, "goaway"), "11") << r.out;
  const std::string sent = fact(r.out, "body_sent");
  ASSERT_FALSE(sent.empty()) << r.out;
  // The initial window, max-request-body (64 KiB) handed back, one window in flight.
  EXPECT_LE(std::stoull(sent), 3u * 65536) << r.out;
  EXPECT_EQ(h2_fetch_one(edge.port, "GET:/cours/style.css").status, "200");
}

TEST(EdgeH2Headers, CookieCrumbsCountAsOneField) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir);
  // RFC 9113 §8.2.3: a client may split Cookie into one field per crumb.
  std::string crumbs = "GET:/cours/style.css", fields = "GET:/cours/style.css?fields";
  for (int i = 0; i < 70; ++i) {
    crumbs += "|cookie=c" + std::to_string(i) + "=v";
    fields += "|x-field-" + std::to_string(i) + "=v";
  }
  std::vector<H2Response> r = h2_fetch(edge.port, {crumbs, fields});
  EXPECT_EQ(r[0].status, "200") << "70 cookie crumbs are one Cookie field";
  EXPECT_EQ(r[1].status, "431") << "70 other fields are over max-headers (64)";
}

// HEADERS without END_HEADERS, then nothing: on a kept connection the idle
// limit is the keep-alive timeout, and the block waited that long, twice.
TEST(EdgeH2Timers, AHeaderBlockThatNeverEndsIsClosedAtTheHeaderTimeout) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir, {"--header-timeout", "1s", "--keepalive-timeout", "120s"});
  auto c = served_h2_connection(edge.port, "127.0.0.1");
  // HEADERS on stream 3, END_STREAM without END_HEADERS: :method GET, :scheme http, :path /.
  ASSERT_TRUE(c->send(std::string("\0\0\x03\x01\x01\0\0\0\x03\x82\x86\x84", 12)));
  EXPECT_TRUE(c->wait_closed(std::chrono::seconds(20))) << "the block got the header timeout, not the keep-alive one";
  EXPECT_GE(metric(edge.admin_port, "relais_errors_total{kind=\"header_timeout\"}"), 1);
}

// nghttp2 ends some connections itself (here FLOW_CONTROL_ERROR, RFC 9113
// §6.9.1: a window above 2^31-1); those GOAWAYs were counted nowhere.
TEST(EdgeH2Observability, GoawaysThatNghttp2SendsAreCounted) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir);
  ProcessResult r = run_h2_client({"attack", std::to_string(edge.port), "window-overflow"});
  EXPECT_EQ(fact(r.out, "goaway"), "3") << r.out;
  EXPECT_GE(metric(edge.admin_port, "relais_http2_goaway_errors_total{code=\"flow_control_error\"}"), 1);
}

// A stream reset for a malformed field (RFC 9113 §8.2.2) is logged like the
// 400 HTTP/1 gives; a stream the client cancels is logged with the bytes sent.
TEST(EdgeH2Observability, ResetStreamsAreLoggedAsTheyEnded) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir, {"--access-log", dir.file("access.log")});
  std::vector<H2Response> r = h2_fetch(edge.port, {"GET:/cours/lecon.html?malformed|connection=close"});
  EXPECT_EQ(r[0].status, "-") << "reset, not answered";
  const std::string log = log_with(dir, "?malformed");
  EXPECT_NE(log.find("\"GET /cours/lecon.html?malformed HTTP/2.0\" 400 0 "), std::string::npos) << log;
  ProcessResult reset = run_h2_client({"attack", std::to_string(edge.port), "reset-mid-body", "0", dir.file("access.log")});
  EXPECT_EQ(fact(reset.out, "received"), "16384") << reset.out;
  EXPECT_EQ(fact(reset.out, "logged_bytes"), "16384") << reset.out;
  // The body-bytes counter says the same (the 400 had none): it once counted
  // the size the reset stream's head promised.
  const char* body_bytes = "relais_response_body_bytes_total";
  await_metric(edge.admin_port, body_bytes, 16384);
  EXPECT_EQ(metric(edge.admin_port, body_bytes), 16384);
}

}  // namespace
}  // namespace relais::testing
