// relais-edge over HTTP/2 with prior knowledge (h2c): the semantics of the
// HTTP/1 tests (negotiation and Vary, ranges and multipart, conditionals,
// HEAD, 404/405/416, the query allow-list, 429) and the protocol's defences,
// each a hostile client (tests/integration/h2/h2_client.py: raw frames) after
// which a legitimate stream is still served. ALPN over TLS is in
// edge_tls_test.cc.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"
#include "tests/integration/h2/h2_client.h"

namespace relais::testing {
namespace {

ProcessResult run_client(const std::vector<std::string>& args) { return run_h2_client(args); }
std::vector<H2Response> fetch(std::uint16_t port, const std::vector<std::string>& specs) { return h2_fetch(port, specs); }
H2Response fetch_one(std::uint16_t port, const std::string& spec) { return h2_fetch_one(port, spec); }

class EdgeH2 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    files_ = new std::map<std::string, std::string>(standard_tree());
    ASSERT_TRUE(publish_tree(*dir_, *files_));
    edge_ = new RunningEdge(start_edge(*dir_, {"--access-log", dir_->file("access.log")}));
    ASSERT_NE(edge_->port, 0);
  }
  static void TearDownTestSuite() {
    delete edge_;
    delete files_;
    delete dir_;
  }
  static std::uint16_t port() { return edge_->port; }
  static const std::string& file(const std::string& path) { return files_->at(path); }
  // A legitimate stream on a new connection: the server still serves.
  static void still_serves() {
    H2Response r = fetch_one(port(), "GET:/cours/lecon.html");
    EXPECT_EQ(r.status, "200");
    EXPECT_EQ(r.body, file("cours/lecon.html"));
  }

  static TempDir* dir_;
  static std::map<std::string, std::string>* files_;
  static RunningEdge* edge_;
};
TempDir* EdgeH2::dir_ = nullptr;
std::map<std::string, std::string>* EdgeH2::files_ = nullptr;
RunningEdge* EdgeH2::edge_ = nullptr;

TEST_F(EdgeH2, NegotiationPicksAVariantAndVaries) {
  std::vector<H2Response> r = fetch(port(), {"GET:/cours/lecon.html|accept-encoding=br", "GET:/cours/lecon.html",
                                             "GET:/cours/lecon.html|accept-encoding=gzip"});
  ASSERT_EQ(r[0].status, "200");
  EXPECT_EQ(r[0].header("content-encoding"), "br");
  EXPECT_EQ(r[0].header("vary"), "Accept-Encoding");
  EXPECT_EQ(decode_body("br", r[0].body, file("cours/lecon.html").size()), file("cours/lecon.html"));
  EXPECT_EQ(r[1].header("content-encoding"), "");
  EXPECT_EQ(r[1].body, file("cours/lecon.html"));
  EXPECT_EQ(r[1].header("content-length"), std::to_string(file("cours/lecon.html").size()));
  EXPECT_EQ(r[2].header("content-encoding"), "gzip");
  EXPECT_EQ(decode_body("gzip", r[2].body, file("cours/lecon.html").size()), file("cours/lecon.html"));
  EXPECT_NE(r[0].header("etag"), r[1].header("etag"));
}

TEST_F(EdgeH2, HeadHasTheFieldsOfGetAndNoBody) {
  std::vector<H2Response> r = fetch(port(), {"HEAD:/cours/style.css", "GET:/cours/style.css"});
  EXPECT_EQ(r[0].status, "200");
  EXPECT_TRUE(r[0].body.empty());
  EXPECT_EQ(r[0].header("content-length"), r[1].header("content-length"));
  EXPECT_EQ(r[0].header("etag"), r[1].header("etag"));
  EXPECT_EQ(r[1].body, file("cours/style.css"));
}

TEST_F(EdgeH2, ConditionalRequestsGive304) {
  H2Response full = fetch_one(port(), "GET:/cours/lecon.html");
  const std::string etag = full.header("etag");
  ASSERT_FALSE(etag.empty());
  std::vector<H2Response> r = fetch(port(), {"GET:/cours/lecon.html|if-none-match=" + etag,
                                             "GET:/cours/lecon.html|if-modified-since=" + full.header("last-modified"),
                                             "GET:/cours/lecon.html|if-match=\"nope\""});
  EXPECT_EQ(r[0].status, "304");
  EXPECT_TRUE(r[0].body.empty());
  EXPECT_EQ(r[0].header("etag"), etag);
  EXPECT_EQ(r[1].status, "304");
  EXPECT_EQ(r[2].status, "412");
}

TEST_F(EdgeH2, RangesFromMemoryAndDisk) {
  std::vector<H2Response> r = fetch(port(), {"GET:/cours/lecon.html|range=bytes=10-19", "GET:/videos/big.bin|range=bytes=1000000-1099999",
                                             "GET:/videos/big.bin"});
  EXPECT_EQ(r[0].status, "206");
  EXPECT_EQ(r[0].body, file("cours/lecon.html").substr(10, 10));
  EXPECT_EQ(r[0].header("content-range"), "bytes 10-19/" + std::to_string(file("cours/lecon.html").size()));
  EXPECT_EQ(r[1].status, "206");
  EXPECT_EQ(r[1].body, file("videos/big.bin").substr(1000000, 100000));
  EXPECT_EQ(r[2].status, "200");
  EXPECT_TRUE(r[2].body == file("videos/big.bin")) << "3 MiB from disk over flow control";
}

TEST_F(EdgeH2, MultipleRangesAreTheSameMultipartAsHttp1) {
  H2Response h2 = fetch_one(port(), "GET:/videos/big.bin|range=bytes=0-9,5000-5009,2000000-2000009");
  auto h1 = http_get(port(), "/videos/big.bin", {"Range: bytes=0-9,5000-5009,2000000-2000009"});
  ASSERT_TRUE(h1);
  EXPECT_EQ(h2.status, "206");
  EXPECT_EQ(h2.header("content-type"), h1->header("Content-Type"));
  EXPECT_EQ(h2.body, h1->body);
  EXPECT_EQ(h2.header("content-length"), std::to_string(h2.body.size()));
}

TEST_F(EdgeH2, ErrorStatusesAndTheQueryAllowList) {
  std::vector<H2Response> r = fetch(port(), {"GET:/nope.html", "POST:/cours/lecon.html", "DELETE:/cours/lecon.html",
                                             "GET:/cours/lecon.html|range=bytes=999999999-",
                                             "GET:/cours/lecon.html?utm=1&v=2", "GET:/cours/lecon.html"});
  EXPECT_EQ(r[0].status, "404");
  EXPECT_EQ(r[1].status, "405");
  EXPECT_EQ(r[1].header("allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(r[2].status, "405");
  EXPECT_EQ(r[3].status, "416");
  EXPECT_EQ(r[4].status, "200");  // the query is not in the lookup key (no --query-key)
  EXPECT_EQ(r[4].header("etag"), r[5].header("etag"));
}

TEST_F(EdgeH2, MalformedRequestsAreRefusedNotServed) {
  // :authority and host disagree (RFC 9113 §8.3.1); an upper-case name is refused by nghttp2 itself (reset).
  std::vector<H2Response> r = fetch(port(), {"GET:/cours/lecon.html|host=other.example", "GET:/cours/lecon.html"});
  EXPECT_EQ(r[0].status, "400");
  EXPECT_EQ(r[1].status, "200");
}

TEST_F(EdgeH2, AnnouncesMaxStreamsAndLogsTheProtocol) {
  ProcessResult r = run_client({"fetch", std::to_string(port()), "GET:/cours/style.css"});
  EXPECT_EQ(fact(r.out, "server_max_streams"), "100");
  EXPECT_GT(metric(edge_->admin_port, "relais_http2_streams_total"), 0);
  EXPECT_GT(metric(edge_->admin_port, "relais_http2_connections_total"), 0);
  std::string log;
  // Workers hand their lines to the log about once a second.
  for (const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
       log.find("HTTP/2.0") == std::string::npos && std::chrono::steady_clock::now() < until; ::poll(nullptr, 0, 20)) {
    std::ifstream in(dir_->file("access.log"));
    log.assign(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_NE(log.find("\"GET /cours/style.css HTTP/2.0\" 200"), std::string::npos) << log;
}

// Streams interleave: each is logged (and timed) when its last frame is
// queued, not when it is answered. A body held by a zero window is logged
// after a HEAD answered later on the same connection, and once it has gone.
TEST_F(EdgeH2, AStreamIsLoggedWhenItsLastFrameGoes) {
  ProcessResult r = run_client({"attack", std::to_string(port()), "log-order", "0", dir_->file("access.log")});
  ASSERT_EQ(fact(r.out, "after_logged"), "True") << r.out;
  EXPECT_EQ(fact(r.out, "held_logged_early"), "False") << r.out;
  EXPECT_EQ(fact(r.out, "held_length"), std::to_string(file("videos/big.bin").size())) << r.out;
  EXPECT_EQ(fact(r.out, "held_logged"), "True") << r.out;
}

// --- defences: each attack, then a legitimate stream on a new connection ---

TEST_F(EdgeH2, RapidResetGetsEnhanceYourCalm) {
  ProcessResult r = run_client({"attack", std::to_string(port()), "rapid-reset", "1000"});
  EXPECT_EQ(fact(r.out, "goaway"), "11") << r.out;  // ENHANCE_YOUR_CALM
  still_serves();
}

TEST_F(EdgeH2, ContinuationFloodEndsTheConnection) {
  ProcessResult r = run_client({"attack", std::to_string(port()), "continuation-flood", "100000"});
  EXPECT_EQ(fact(r.out, "goaway"), "11") << r.out;
  still_serves();
}

// A list just over the bound gets a 431 (RFC 9113 §10.5.1, H2Session.
// CookieCrumbsCountAsOneField); one decoding to 4 MB is reset as soon as it
// passes twice the bound, so that nghttp2 skips the rest of its block instead
// of checking every byte of it (an outside attack made 400 such blocks a
// second cost a core). The connection goes on; stream after stream, it ends
// at the stream-error budget (H2Session.AnHpackBombStreamAfterStreamEndsTheConnection).
TEST_F(EdgeH2, HpackBombIsResetAndTheConnectionGoesOn) {
  ProcessResult r = run_client({"attack", std::to_string(port()), "hpack-bomb", "1000"});
  EXPECT_EQ(fact(r.out, "bomb_status"), "-") << r.out;
  EXPECT_EQ(fact(r.out, "bomb_reset"), "2") << r.out;  // INTERNAL_ERROR: nghttp2's code for a stream the application refused
  EXPECT_EQ(fact(r.out, "goaway"), "-") << r.out;
  EXPECT_EQ(fact(r.out, "same"), "200") << "the same connection serves the next stream";
  still_serves();
}

TEST_F(EdgeH2, MadeYouResetCountsStreamErrors) {
  ProcessResult r = run_client({"attack", std::to_string(port()), "made-you-reset", "1000"});
  EXPECT_EQ(fact(r.out, "goaway"), "11") << r.out;
  still_serves();
}

TEST_F(EdgeH2, ControlFrameFloodsGetEnhanceYourCalm) {
  for (const char* attack : {"ping-flood", "settings-flood", "window-update-flood", "priority-flood"}) {
    ProcessResult r = run_client({"attack", std::to_string(port()), attack, "20000"});
    EXPECT_EQ(fact(r.out, "goaway"), "11") << attack << "\n" << r.out;
    still_serves();
  }
}

TEST_F(EdgeH2, StreamsBeyondTheAnnouncedLimitAreRefused) {
  ProcessResult r = run_client({"attack", std::to_string(port()), "max-streams", "150"});
  EXPECT_EQ(fact(r.out, "server_max_streams"), "100");
  // nghttp2 refuses the streams over the limit (REFUSED_STREAM) or, once the
  // client acknowledged the limit, the connection (GOAWAY PROTOCOL_ERROR).
  EXPECT_TRUE(fact(r.out, "refused") != "[]" || fact(r.out, "goaway") == "1") << r.out;
  still_serves();
}

TEST(EdgeH2Timers, ZeroWindowStallIsCutBySendTimeout) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir, {"--send-timeout", "1s"});
  ProcessResult r = run_client({"attack", std::to_string(edge.port), "zero-window"});
  EXPECT_EQ(fact(r.out, "zero_window_closed"), "True") << r.out;
  EXPECT_GE(metric(edge.admin_port, "relais_errors_total{kind=\"send_timeout\"}") +
                metric(edge.admin_port, "relais_errors_total{kind=\"slow_reader\"}"), 1);
  H2Response ok = fetch_one(edge.port, "GET:/cours/style.css");
  EXPECT_EQ(ok.status, "200");
}

TEST(EdgeH2Timers, SlowReaderIsCutLikeOverHttp1) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir, {"--send-timeout", "1s", "--send-lowat", "64K"});
  ProcessResult r = run_client({"attack", std::to_string(edge.port), "slow-reader"});
  EXPECT_EQ(fact(r.out, "slow_reader_cut"), "True") << r.out;
  EXPECT_GE(metric(edge.admin_port, "relais_errors_total{kind=\"send_timeout\"}") +
                metric(edge.admin_port, "relais_errors_total{kind=\"slow_reader\"}"), 1);
  EXPECT_EQ(fetch_one(edge.port, "GET:/cours/style.css").status, "200");
}

TEST(EdgeH2Timers, IdleConnectionGetsGoawayAndCloses) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir, {"--header-timeout", "1s"});
  RawClient c(edge.port);
  ASSERT_TRUE(c.send(std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + std::string("\0\0\0\x04\0\0\0\0\0", 9)));
  std::string received;
  EXPECT_TRUE(c.wait_closed(std::chrono::seconds(20), &received)) << "no request within the header timeout";
  // SETTINGS, then GOAWAY (type 7) with NO_ERROR.
  EXPECT_NE(received.find(std::string("\x07\0\0\0\0\0", 6)), std::string::npos);
}

TEST(EdgeH2Drain, SigtermSendsANoticeThenGoawayAndFinishesTheStreamsInFlight) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir, {"--drain-timeout", "30s"});
  ProcessResult r = run_client({"attack", std::to_string(edge.port), "drain", std::to_string(edge.process->pid())});
  EXPECT_EQ(fact(r.out, "drain_goaway"), "0") << r.out;
  EXPECT_EQ(fact(r.out, "drained_length"), std::to_string(3 << 20)) << r.out;
  // RFC 9113 §6.8: a notice (last stream 2^31-1), then the GOAWAY naming the
  // last stream taken; the stream opened after the notice was answered.
  EXPECT_EQ(fact(r.out, "late_status"), "200") << r.out;
  EXPECT_EQ(fact(r.out, "drain_goaways"), "0/2147483647;0/3") << r.out;
  EXPECT_EQ(edge.process->wait_exit(std::chrono::seconds(20)), 0);
}

TEST(EdgeH2Limits, StreamsCountAgainstThePerAddressRate) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir, {"--address-rate", "1", "--address-burst", "3"});
  std::vector<std::string> specs(10, "GET:/cours/style.css");
  std::vector<H2Response> r = fetch(edge.port, specs);
  int limited = 0;
  for (const H2Response& x : r) limited += x.status == "429";
  EXPECT_GE(limited, 5);
  EXPECT_GE(metric(edge.admin_port, "relais_limited_total{limit=\"request_rate\"}"), 5);
}

TEST(EdgeH2Limits, MaxRequestsPerConnectionEndsWithGoaway) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir, {"--max-requests-per-connection", "2"});
  // After the second stream: GOAWAY(NO_ERROR), both answered.
  ProcessResult r = run_client({"fetch", std::to_string(edge.port), "GET:/cours/style.css", "GET:/cours/style.css",
                               "--wait-goaway"});
  EXPECT_NE(r.out.find("response 1 status=200"), std::string::npos) << r.out;
  EXPECT_EQ(fact(r.out, "goaway"), "0") << r.out;
}

TEST(EdgeH2Limits, NearTheConnectionBoundAnIdleHttp2ConnectionIsShedFirst) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir, {"--max-connections", "4", "--workers", "1"});
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 3; ++i) idle.push_back(served_h2_connection(edge.port, "127.0.0.12"));
  auto newcomer = served_h2_connection(edge.port, "127.0.0.13");
  EXPECT_TRUE(idle.front()->wait_closed());  // the longest idle made room
  EXPECT_EQ(metric(edge.admin_port, "relais_idle_connections_shed_total"), 1);
}

TEST(EdgeH2Purge, APurgedPathIsGoneOverHttp2Too) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir);
  ASSERT_EQ(fetch_one(edge.port, "GET:/cours/lecon.html").status, "200");
  auto purged = http_get(edge.admin_port, "/purge?path=/cours/lecon.html", {"Authorization: Bearer secret-token"}, "POST");
  ASSERT_TRUE(purged);
  EXPECT_EQ(purged->status, 200);
  std::vector<H2Response> r = fetch(edge.port, {"GET:/cours/lecon.html", "GET:/cours/style.css"});
  EXPECT_EQ(r[0].status, "404");
  EXPECT_EQ(r[1].status, "200");
}

// HTTP/2 sends a body in 16 KiB DATA frames: from RAM many frames leave in one
// writev(), from a file each one costs a sendfile() and a header write. So a
// body the memory tier holds is sent from RAM over HTTP/2 even above
// --sendfile-min (which HTTP/1 keeps: one sendfile() per response there).
TEST(EdgeH2Bodies, ALargeBodyInTheMemoryTierIsSentFromRam) {
  TempDir dir;
  std::map<std::string, std::string> tree = standard_tree();
  std::string clip(300 * 1024, '\0');
  for (std::size_t i = 0; i < clip.size(); ++i) clip[i] = static_cast<char>(i * 7 + i / 1000);
  tree["media/clip.bin"] = clip;
  ASSERT_TRUE(publish_tree(dir, tree));
  RunningEdge edge = start_edge(dir, {"--sendfile-min", "64K"});
  // The first request admits it from disk, the second loads it, the third is a memory hit.
  for (int i = 0; i < 3; ++i) {
    H2Response r = fetch_one(edge.port, "GET:/media/clip.bin");
    ASSERT_EQ(r.status, "200");
    EXPECT_TRUE(r.body == clip);
  }
  EXPECT_GE(metric(edge.admin_port, "relais_cache_hits_total{tier=\"memory\"}"), 1);
}

TEST(EdgeH2Off, PriorKnowledgeIsRefusedWhenHttp2IsOff) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir, {"--http2", "off"});
  RawClient c(edge.port);
  ASSERT_TRUE(c.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 505);  // the HTTP/1 parser's answer to a version it does not speak
}

}  // namespace
}  // namespace relais::testing
