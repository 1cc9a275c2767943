#include "edge/proto/h2/request_builder.h"

#include <gtest/gtest.h>

#include <vector>

namespace relais::h2 {
namespace {

using Fields = std::vector<http::HeaderField>;

Fields base() { return {{":method", "GET"}, {":scheme", "https"}, {":authority", "cours.example.org"}, {":path", "/a?b=1"}}; }

BuildOutcome build(const Fields& f, http::Request& r) {
  static http::HeaderField storage[64];
  return build_request(f, 4096, storage, r);
}

TEST(H2RequestBuilder, MapsPseudoHeadersAndSemanticFields) {
  Fields f = base();
  f.push_back({"accept-encoding", "br, gzip"});
  f.push_back({"range", "bytes=0-9"});
  f.push_back({"if-none-match", "\"x\""});
  f.push_back({"user-agent", "test"});
  http::Request r;
  ASSERT_EQ(build(f, r).status, 0);
  EXPECT_EQ(r.method, http::Method::get);
  EXPECT_EQ(r.target, "/a?b=1");
  EXPECT_EQ(r.host, "cours.example.org");  // RFC 9113 §8.3.1
  EXPECT_EQ(r.accept_encoding, "br, gzip");
  EXPECT_TRUE(r.has_accept_encoding);
  EXPECT_EQ(r.range, "bytes=0-9");
  EXPECT_EQ(r.if_none_match, "\"x\"");
  EXPECT_EQ(r.version_major, 2);
  ASSERT_EQ(r.header_count, 4u);
  EXPECT_EQ(r.headers[3].name, "user-agent");
}

TEST(H2RequestBuilder, HostFieldStandsInForAMissingAuthority) {
  Fields f = {{":method", "HEAD"}, {":scheme", "http"}, {":path", "/"}, {"host", "h.example"}};
  http::Request r;
  ASSERT_EQ(build(f, r).status, 0);
  EXPECT_EQ(r.host, "h.example");
  EXPECT_EQ(r.method, http::Method::head);
}

// One row per malformed block: the status answered instead of a request.
TEST(H2RequestBuilder, RefusesMalformedBlocks) {
  struct Row {
    const char* what;
    Fields fields;
    std::uint16_t status;
  };
  auto with = [](std::vector<http::HeaderField> extra) {
    Fields f = base();
    f.insert(f.end(), extra.begin(), extra.end());
    return f;
  };
  const Row rows[] = {
      {"connection-specific", with({{"connection", "close"}}), 400},
      {"transfer-encoding", with({{"transfer-encoding", "chunked"}}), 400},
      {"te other than trailers", with({{"te", "gzip"}}), 400},
      {"upper-case name", with({{"Accept", "x"}}), 400},
      {"host differs from :authority", with({{"host", "evil.example"}}), 400},
      {"pseudo after regular", with({{"accept", "x"}, {":path", "/b"}}), 400},
      {"unknown pseudo", with({{":protocol", "websocket"}}), 400},
      {"duplicate :path", Fields{{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}, {":path", "/"}, {":path", "/x"}}, 400},
      {"missing :path", Fields{{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}}, 400},
      {"missing :method", Fields{{":scheme", "https"}, {":authority", "a"}, {":path", "/"}}, 400},
      {"bad :scheme", Fields{{":method", "GET"}, {":scheme", "ftp"}, {":authority", "a"}, {":path", "/"}}, 400},
      {"no host at all", Fields{{":method", "GET"}, {":scheme", "https"}, {":path", "/"}}, 400},
      {"userinfo in :authority", Fields{{":method", "GET"}, {":scheme", "https"}, {":authority", "u@a"}, {":path", "/"}}, 400},
      {"CONNECT", Fields{{":method", "CONNECT"}, {":authority", "a:443"}}, 405},
      {"target too long", Fields{{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}, {":path", "/" + std::string(5000, 'x')}}, 414},
  };
  for (const Row& row : rows) {
    http::Request r;
    EXPECT_EQ(build(row.fields, r).status, row.status) << row.what;
  }
}

}  // namespace
}  // namespace relais::h2
