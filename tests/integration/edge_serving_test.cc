// relais-edge serving a published tree: representation, negotiation,
// conditionals, ranges, keep-alive and pipelining, over real sockets.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"

namespace relais::testing {
namespace {

class EdgeServing : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    files_ = new std::map<std::string, std::string>(standard_tree());
    ASSERT_TRUE(publish_tree(*dir_, *files_));
    // One client address sends the whole suite (over a thousand requests):
    // the per-address rate would answer 429s; EdgeLimits tests the limits.
    edge_ = new RunningEdge(start_edge(*dir_, {"--address-rate", "0"}));
    ASSERT_NE(edge_->port, 0);
  }
  static void TearDownTestSuite() {
    delete edge_;
    delete files_;
    delete dir_;
  }
  static std::uint16_t port() { return edge_->port; }
  static const std::string& file(const std::string& path) { return files_->at(path); }

  static TempDir* dir_;
  static std::map<std::string, std::string>* files_;
  static RunningEdge* edge_;
};
TempDir* EdgeServing::dir_ = nullptr;
std::map<std::string, std::string>* EdgeServing::files_ = nullptr;
RunningEdge* EdgeServing::edge_ = nullptr;

TEST_F(EdgeServing, RootServesIndexWithRepresentationHeaders) {
  auto r = http_get(port(), "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, file("index.html"));
  EXPECT_EQ(r->header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r->header("Vary"), "Accept-Encoding");
  EXPECT_EQ(r->header("Accept-Ranges"), "bytes");
  EXPECT_EQ(r->header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r->header("Cache-Control"), "public, max-age=60");
  EXPECT_FALSE(r->header("Date").empty());
  EXPECT_FALSE(r->header("Last-Modified").empty());
  EXPECT_EQ(r->header("ETag").front(), '"');
  EXPECT_FALSE(r->has_header("Content-Encoding"));
}

TEST_F(EdgeServing, EveryEncodingDecodesToTheSource) {
  for (const char* encoding : {"br", "zstd", "gzip"}) {
    auto r = http_get(port(), "/cours/lecon.html", {std::string("Accept-Encoding: ") + encoding});
    ASSERT_TRUE(r) << encoding;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("Content-Encoding"), encoding);
    EXPECT_LT(r->body.size(), file("cours/lecon.html").size());
    EXPECT_EQ(decode_body(encoding, r->body, file("cours/lecon.html").size()), file("cours/lecon.html")) << encoding;
  }
}

// A hot representation's fields come from the worker's pre-built block
// (edge/proto/h1/head_cache.h) from the second request on: they must stay those
// of that representation, request after request, encoding after encoding.
TEST_F(EdgeServing, RepeatedRequestsKeepEachRepresentationsHeaders) {
  const char* fields[] = {"Content-Type", "Content-Length", "Content-Encoding", "ETag",
                          "Last-Modified", "Cache-Control", "Vary", "Accept-Ranges"};
  std::map<std::string, std::vector<std::string>> first;
  for (int round = 0; round < 3; ++round) {
    for (const char* encoding : {"identity", "br", "gzip", "zstd"}) {
      auto r = http_get(port(), "/cours/lecon.html", {std::string("Accept-Encoding: ") + encoding});
      ASSERT_TRUE(r) << encoding;
      ASSERT_EQ(r->status, 200);
      EXPECT_EQ(r->header("Content-Length"), std::to_string(r->body.size())) << encoding;
      std::vector<std::string> seen;
      for (const char* f : fields) seen.push_back(r->header(f));
      if (round == 0) {
        first[encoding] = seen;
      } else {
        EXPECT_EQ(seen, first[encoding]) << encoding << " round " << round;
      }
    }
  }
  EXPECT_NE(first["br"][3], first["gzip"][3]);  // ETags differ per representation
  EXPECT_NE(first["identity"][1], first["br"][1]);
}

TEST_F(EdgeServing, NegotiationPicksSmallestAcceptableAndHonoursQZero) {
  auto all = http_get(port(), "/cours/lecon.html", {"Accept-Encoding: gzip, br, zstd"});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->header("Content-Encoding"), "br");  // brotli is the smallest on text
  auto no_br = http_get(port(), "/cours/lecon.html", {"Accept-Encoding: br;q=0, gzip"});
  ASSERT_TRUE(no_br);
  EXPECT_EQ(no_br->header("Content-Encoding"), "gzip");
  auto etag_br = all->header("ETag");
  EXPECT_NE(etag_br, no_br->header("ETag"));  // one ETag per representation
  auto none = http_get(port(), "/cours/lecon.html", {"Accept-Encoding: identity;q=0, *;q=0"});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 406);
  auto identity_only = http_get(port(), "/cours/lecon.html", {"Accept-Encoding: identity"});
  ASSERT_TRUE(identity_only);
  EXPECT_EQ(identity_only->body, file("cours/lecon.html"));
}

TEST_F(EdgeServing, Utf8FileNameIsServed) {
  auto r = http_get(port(), "/cours/S%C3%A9ance%203%20%E2%80%94%20fractions.pdf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, file("cours/Séance 3 — fractions.pdf"));
  EXPECT_EQ(r->header("Content-Type"), "application/pdf");
}

TEST_F(EdgeServing, EmptyFileAndDirectoryIndexAndRedirect) {
  auto empty = http_get(port(), "/empty.txt");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 200);
  EXPECT_EQ(empty->header("Content-Length"), "0");
  auto dir_index = http_get(port(), "/cours/");
  ASSERT_TRUE(dir_index);
  EXPECT_EQ(dir_index->body, file("cours/index.html"));
  auto redirect = http_get(port(), "/cours");
  ASSERT_TRUE(redirect);
  EXPECT_EQ(redirect->status, 301);
  EXPECT_EQ(redirect->header("Location"), "/cours/");
  auto missing = http_get(port(), "/nulle-part.html");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("404"), std::string::npos);
}

TEST_F(EdgeServing, QueryStringDoesNotChangeTheObject) {
  auto r = http_get(port(), "/cours/lecon.html?v=123456&cache=bust");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, file("cours/lecon.html"));
}

// What a browser-like client does with what we send: curl --compressed
// negotiates (br, zstd or gzip: whatever it was built with), decodes, and
// must get the source bytes; a range comes back identity, byte for byte.
TEST_F(EdgeServing, CurlCompressedGetsTheSourceBack) {
  const std::string url = "http://127.0.0.1:" + std::to_string(port());
  ProcessResult page = run_process({"curl", "-sS", "--compressed", "-D", dir_->file("curl-headers.txt"),
                                    url + "/cours/lecon.html"},
                                   std::chrono::seconds(30));
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_EQ(page.out, file("cours/lecon.html"));
  const std::string headers = read_file(dir_->file("curl-headers.txt"));
  EXPECT_NE(headers.find("Content-Encoding: "), std::string::npos) << headers;  // it was compressed on the wire
  ProcessResult range = run_process({"curl", "-sS", "--compressed", "-r", "1000-1999", url + "/videos/big.bin"},
                                    std::chrono::seconds(30));
  ASSERT_EQ(range.exit_code, 0) << range.err;
  EXPECT_EQ(range.out, file("videos/big.bin").substr(1000, 1000));
}

TEST_F(EdgeServing, HeadHasTheHeadersOfGetAndNoBody) {
  RawClient c(port());
  ASSERT_TRUE(c.send("HEAD /videos/big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /empty.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = c.read_response(/*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("Content-Length"), std::to_string(file("videos/big.bin").size()));
  auto next = c.read_response();  // proves no body bytes followed the HEAD response
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->header("Content-Length"), "0");
}

TEST_F(EdgeServing, ConditionalRequestsGive304) {
  auto first = http_get(port(), "/cours/style.css");
  ASSERT_TRUE(first);
  std::string etag = first->header("ETag");
  auto inm = http_get(port(), "/cours/style.css", {"If-None-Match: \"zzz\", W/" + etag});
  ASSERT_TRUE(inm);
  EXPECT_EQ(inm->status, 304);  // weak comparison for If-None-Match
  EXPECT_EQ(inm->header("ETag"), etag);
  EXPECT_TRUE(inm->body.empty());
  auto star = http_get(port(), "/cours/style.css", {"If-None-Match: *"});
  ASSERT_TRUE(star);
  EXPECT_EQ(star->status, 304);
  auto ims = http_get(port(), "/cours/style.css", {"If-Modified-Since: " + first->header("Last-Modified")});
  ASSERT_TRUE(ims);
  EXPECT_EQ(ims->status, 304);
  // RFC 9110 §13.2.2: If-None-Match takes precedence over If-Modified-Since.
  auto both = http_get(port(), "/cours/style.css",
                       {"If-None-Match: \"other\"", "If-Modified-Since: " + first->header("Last-Modified")});
  ASSERT_TRUE(both);
  EXPECT_EQ(both->status, 200);
  auto old = http_get(port(), "/cours/style.css", {"If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT"});
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 200);
  auto failed = http_get(port(), "/cours/style.css", {"If-Match: \"nope\""});
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 412);
}

TEST_F(EdgeServing, SingleRangesFromMemoryAndDisk) {
  struct Row {
    const char* path;
    const char* range;
    std::size_t first;
    std::size_t length;
  };
  const std::string& big = file("videos/big.bin");
  const std::string& pdf = file("cours/Séance 3 — fractions.pdf");
  const Row rows[] = {
      {"/videos/big.bin", "bytes=0-99", 0, 100},
      {"/videos/big.bin", "bytes=1048576-2097151", 1048576, 1048576},
      {"/videos/big.bin", "bytes=-500", big.size() - 500, 500},
      {"/videos/big.bin", "bytes=3145000-", 3145000, big.size() - 3145000},
      {"/cours/S%C3%A9ance%203%20%E2%80%94%20fractions.pdf", "bytes=10-19", 10, 10},
      {"/cours/S%C3%A9ance%203%20%E2%80%94%20fractions.pdf", "bytes=19990-99999", 19990, pdf.size() - 19990},
  };
  for (const Row& row : rows) {
    auto r = http_get(port(), row.path, {std::string("Range: ") + row.range});
    ASSERT_TRUE(r) << row.range;
    EXPECT_EQ(r->status, 206) << row.range;
    const std::string& source = std::string(row.path).find("big") != std::string::npos ? big : pdf;
    EXPECT_EQ(r->body, source.substr(row.first, row.length)) << row.range;
    EXPECT_EQ(r->header("Content-Range"), "bytes " + std::to_string(row.first) + "-" +
                                              std::to_string(row.first + row.length - 1) + "/" +
                                              std::to_string(source.size()));
  }
}

TEST_F(EdgeServing, RangeIsServedOnIdentityEvenWhenCompressionIsAccepted) {
  auto r = http_get(port(), "/cours/lecon.html", {"Range: bytes=0-9", "Accept-Encoding: br, gzip"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_FALSE(r->has_header("Content-Encoding"));
  EXPECT_EQ(r->body, file("cours/lecon.html").substr(0, 10));
}

TEST_F(EdgeServing, MultipleRangesAreMultipartAndCoalesced) {
  const std::string& big = file("videos/big.bin");
  auto r = http_get(port(), "/videos/big.bin", {"Range: bytes=500-599, 0-99, 50-149"});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 206);
  std::string type = r->header("Content-Type");
  ASSERT_EQ(type.rfind("multipart/byteranges; boundary=", 0), 0u);
  std::string boundary = type.substr(type.find('=') + 1);
  // 0-99 and 50-149 coalesce into 0-149; parts come sorted.
  std::string expected = "\r\n--" + boundary + "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-149/" +
                         std::to_string(big.size()) + "\r\n\r\n" + big.substr(0, 150) + "\r\n--" + boundary +
                         "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 500-599/" +
                         std::to_string(big.size()) + "\r\n\r\n" + big.substr(500, 100) + "\r\n--" + boundary + "--\r\n";
  EXPECT_EQ(r->body, expected);
}

TEST_F(EdgeServing, UnsatisfiableAndIgnoredRanges) {
  auto r = http_get(port(), "/videos/big.bin", {"Range: bytes=99999999-"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 416);
  EXPECT_EQ(r->header("Content-Range"), "bytes */" + std::to_string(file("videos/big.bin").size()));
  auto bad_unit = http_get(port(), "/cours/style.css", {"Range: lines=1-2"});
  ASSERT_TRUE(bad_unit);
  EXPECT_EQ(bad_unit->status, 200);
  EXPECT_EQ(bad_unit->body, file("cours/style.css"));
  std::string many = "Range: bytes=";
  for (int i = 0; i < 40; ++i) many += std::to_string(i * 1000) + "-" + std::to_string(i * 1000 + 10) + ",";
  many.pop_back();
  auto too_many = http_get(port(), "/videos/big.bin", {many});
  ASSERT_TRUE(too_many);
  EXPECT_EQ(too_many->status, 416);
}

TEST_F(EdgeServing, IfRangeWithStaleValidatorGetsFullBody) {
  auto first = http_get(port(), "/videos/big.bin", {"Range: bytes=0-9"});
  ASSERT_TRUE(first);
  auto fresh = http_get(port(), "/videos/big.bin", {"Range: bytes=0-9", "If-Range: " + first->header("ETag")});
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->status, 206);
  auto stale = http_get(port(), "/videos/big.bin", {"Range: bytes=0-9", "If-Range: \"0123456789abcdef0123456789abcdef\""});
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 200);
  EXPECT_EQ(stale->body.size(), file("videos/big.bin").size());
}

TEST_F(EdgeServing, KeepAliveAndPipelinedResponsesInOrder) {
  RawClient c(port());
  std::string burst;
  const char* paths[] = {"/index.html", "/cours/style.css", "/empty.txt", "/nope", "/cours/lecon.html"};
  for (int round = 0; round < 4; ++round) {
    for (const char* p : paths) burst += std::string("GET ") + p + " HTTP/1.1\r\nHost: x\r\n\r\n";
  }
  ASSERT_TRUE(c.send(burst));
  for (int round = 0; round < 4; ++round) {
    for (const char* p : paths) {
      auto r = c.read_response();
      ASSERT_TRUE(r) << p;
      if (std::string(p) == "/nope") {
        EXPECT_EQ(r->status, 404);
      } else {
        EXPECT_EQ(r->body, file(std::string(p).substr(1))) << p;
      }
    }
  }
  // Still open: one more request on the same connection.
  ASSERT_TRUE(c.send("GET /empty.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  auto last = c.read_response();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->header("Connection"), "close");
  EXPECT_TRUE(c.wait_closed());
}

// Several times the input buffer in one write: plain sockets are read
// edge-triggered, so a read that fills the buffer must be followed by another
// without a new signal from the socket, or the rest waits forever.
TEST_F(EdgeServing, PipelinedBurstLargerThanTheInputBufferIsAllAnswered) {
  RawClient c(port());
  const std::string one = "GET /empty.txt HTTP/1.1\r\nHost: x\r\nUser-Agent: burst\r\n\r\n";
  const int count = 1024;  // 60 KiB: five input buffers, and fits the socket buffer
  std::string burst;
  for (int i = 0; i < count; ++i) burst += one;
  ASSERT_TRUE(c.send(burst));
  for (int i = 0; i < count; ++i) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << "response " << i;
    // Past the per-address burst the limiter answers 429: answered all the same.
    ASSERT_TRUE(r->status == 200 || r->status == 429) << "response " << i << ": " << r->status;
  }
}

TEST_F(EdgeServing, Http10ClosesUnlessKeepAlive) {
  RawClient c(port());
  ASSERT_TRUE(c.send("GET /empty.txt HTTP/1.0\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(c.wait_closed());
  RawClient k(port());
  ASSERT_TRUE(k.send("GET /empty.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto r2 = k.read_response();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->header("Connection"), "keep-alive");
  ASSERT_TRUE(k.send("GET /empty.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_TRUE(k.read_response());
}

TEST_F(EdgeServing, MethodsOtherThanGetAndHead) {
  auto post = http_get(port(), "/index.html", {"Content-Length: 0"}, "POST");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->header("Allow"), "GET, HEAD, OPTIONS");
  auto del = http_get(port(), "/index.html", {}, "DELETE");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 405);
  RawClient c(port());
  ASSERT_TRUE(c.send("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto options = c.read_response();
  ASSERT_TRUE(options);
  EXPECT_EQ(options->status, 200);
  EXPECT_EQ(options->header("Allow"), "GET, HEAD, OPTIONS");
}

TEST_F(EdgeServing, ClientClosingMidResponseDoesNotHurtTheServer) {
  for (int i = 0; i < 20; ++i) {
    RawClient c(port());
    ASSERT_TRUE(c.send("GET /videos/big.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
  }  // closed with megabytes unsent
  auto r = http_get(port(), "/index.html");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(EdgeServing, GetWithBodyIsFramedAndDiscarded) {
  RawClient c(port());
  ASSERT_TRUE(c.send("GET /empty.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto a = c.read_response();
  auto b = c.read_response();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(b->body, file("index.html"));
  RawClient d(port());
  ASSERT_TRUE(d.send("GET /empty.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                     "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto e = d.read_response();
  auto f = d.read_response();
  ASSERT_TRUE(e && f);
  EXPECT_EQ(f->body, file("index.html"));
}

}  // namespace
}  // namespace relais::testing
