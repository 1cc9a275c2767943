// relais-edge facing hostile or broken clients: every vector gets the right
// status and a closed connection, and nothing outside the store is served.
#include <gtest/gtest.h>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"

namespace relais::testing {
namespace {

class EdgeHostile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    ASSERT_TRUE(publish_tree(*dir_, standard_tree()));
    dir_->write("secret.txt", "outside the store");
    edge_ = new RunningEdge(start_edge(*dir_, {"--header-timeout", "1s", "--max-header-bytes", "4K"}));
    ASSERT_NE(edge_->port, 0);
  }
  static void TearDownTestSuite() {
    delete edge_;
    delete dir_;
  }
  static std::uint16_t port() { return edge_->port; }
  static TempDir* dir_;
  static RunningEdge* edge_;
};
TempDir* EdgeHostile::dir_ = nullptr;
RunningEdge* EdgeHostile::edge_ = nullptr;

struct Vector {
  const char* name;
  std::string request;
  int status;
  bool closes;
};

std::vector<Vector> smuggling_and_framing_vectors() {
  return {
      {"content-length with transfer-encoding", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, true},
      {"duplicate differing content-length", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400, true},
      {"transfer-encoding not chunked", "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400, true},
      {"invalid chunk size", "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, true},
      {"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400, true},
      {"space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, true},
      {"bare LF", "GET / HTTP/1.1\nHost: x\n\n", 400, true},
      {"bare CR", "GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", 400, true},
      {"NUL in header", std::string("GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n", 36), 400, true},
      {"missing host", "GET / HTTP/1.1\r\n\r\n", 400, true},
      {"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, true},
      {"invalid host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, true},
      // Absolute-form to another host is served from this edge's own store
      // (RFC 9112 §3.2.2; edge_sites_routing_test.cc): never a proxy.
      {"absolute-form with another scheme", "GET ftp://evil.example/ HTTP/1.1\r\nHost: x\r\n\r\n", 400, true},
      {"HTTP/2.0 request line", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, true},
      {"garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 hello\r\n\r\n", 400, true},
      {"header too large", "GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(5000, 'a') + "\r\n\r\n", 431, true},
      {"target too long", "GET /" + std::string(4090, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414, true},
      {"body too large", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n", 413, true},
  };
}

TEST_F(EdgeHostile, SmugglingAndFramingVectorsAreRefusedAndClosed) {
  for (const Vector& v : smuggling_and_framing_vectors()) {
    RawClient c(port());
    ASSERT_TRUE(c.send(v.request)) << v.name;
    // A valid head with a broken chunked body is answered, then the body
    // error is: the last response is the verdict on the framing.
    auto r = c.read_response();
    ASSERT_TRUE(r) << v.name;
    while (auto more = c.read_response(false, std::chrono::milliseconds(500))) r = more;
    EXPECT_EQ(r->status, v.status) << v.name;
    if (v.closes) {
      EXPECT_TRUE(c.wait_closed()) << v.name;
    }
  }
}

TEST_F(EdgeHostile, TraversalNeverLeavesTheStore) {
  const char* targets[] = {"/../secret.txt",         "/%2e%2e/secret.txt", "/cours/../../secret.txt", "/..%2fsecret.txt",
                           "/cours%2f..%2f..%2fsecret.txt", "/a\\..\\secret.txt", "/%00", "/cours/%2e%2e/%2e%2e/out/manifest",
                           "/blobs/", "/manifest", "/../out/manifest"};
  for (const char* target : targets) {
    RawClient c(port());
    ASSERT_TRUE(c.send(std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r) << target;
    EXPECT_TRUE(r->status == 400 || r->status == 404) << target << " gave " << r->status;
    EXPECT_EQ(r->body.find("outside the store"), std::string::npos) << target;
    EXPECT_EQ(r->body.find("relais-manifest"), std::string::npos) << target;
  }
}

TEST_F(EdgeHostile, SlowHeadGets408AndIsClosed) {
  RawClient c(port());
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: x\r\n"));  // never finishes the head
  auto r = c.read_response(false, std::chrono::seconds(10));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(EdgeHostile, TricklingBytesDoesNotExtendTheHeadDeadline) {
  RawClient c(port());
  auto start = std::chrono::steady_clock::now();
  // One byte every 200 ms: each arrival must not restart the 1 s deadline.
  std::optional<HttpResponse> r;
  for (int i = 0; i < 50 && !r; ++i) {
    if (!c.send("X")) break;
    r = c.read_response(false, std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// A head three times the input buffer, in one write (the 5 000-byte vector
// above fits in one read): the read that fills the buffer is refused with
// 431, the rest is left to lingering, and the client still gets the answer
// and the close.
TEST_F(EdgeHostile, HugeHeadGets431ThenAnOrderlyClose) {
  RawClient c(port());
  std::string head = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 40; ++i) head += "X-Pad-" + std::to_string(i) + ": " + std::string(1000, 'a') + "\r\n";
  head += "\r\n";
  ASSERT_TRUE(c.send(head));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(EdgeHostile, HalfClosedClientStillGetsItsAnswer) {
  RawClient c(port());
  ASSERT_TRUE(c.send("GET /empty.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"));
  c.shutdown_write();
  auto a = c.read_response();
  auto b = c.read_response();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(b->status, 200);
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(EdgeHostile, ServerStillHealthyAfterTheAbuse) {
  auto r = http_get(port(), "/index.html");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace relais::testing
