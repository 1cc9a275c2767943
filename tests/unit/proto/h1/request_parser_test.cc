// RequestParser: RFC 9112 request heads, with every smuggling vector we know
// as one table row.
#include "edge/proto/h1/request_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace relais::http {
namespace {

using namespace std::string_literals;

struct Parsed {
  ParseOutcome outcome;
  Request request;
  std::vector<HeaderField> storage;
};

Parsed parse(std::string_view buffer, const ParserLimits& limits = {}) {
  Parsed p;
  p.storage.resize(limits.max_headers + 1);
  p.outcome = parse_request_head(buffer, limits, p.storage.data(), p.request);
  return p;
}

// Expected: 0 = complete, 1 = incomplete, else the error status.
constexpr int kComplete = 0;
constexpr int kIncomplete = 1;

int verdict(const ParseOutcome& o) {
  if (o.state == ParseState::complete) return kComplete;
  if (o.state == ParseState::incomplete) return kIncomplete;
  return o.status;
}

struct Vector {
  const char* name;
  std::string input;
  int expected;
};

const std::vector<Vector>& hostile_vectors() {
  static const std::vector<Vector> v = {
      {"simple GET", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", kComplete},
      {"HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", kComplete},
      {"missing Host in 1.1", "GET / HTTP/1.1\r\n\r\n", 400},
      {"two Host lines", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400},
      {"two Host in 1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 400},
      {"Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400},
      {"Host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
      {"Host with bad port", "GET / HTTP/1.1\r\nHost: a:99999\r\n\r\n", 400},
      {"Host IPv6 with port", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", kComplete},
      {"CL with TE", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"TE with CL", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400},
      {"differing CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400},
      {"differing CL list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", 400},
      {"identical CL lines", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", kComplete},
      {"identical CL list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", kComplete},
      {"CL with sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400},
      {"CL negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
      {"CL hex", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n", 400},
      {"CL empty", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400},
      {"CL empty list element", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\n", 400},
      {"CL overflow 20 digits", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\n", 400},
      {"CL 19 digits over body limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9999999999999999999\r\n\r\n", 413},
      {"CL with inner space", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", 400},
      {"TE chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", kComplete},
      {"TE chunked any case", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ChUnKeD\r\n\r\n", kComplete},
      {"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"TE gzip only", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
      {"TE chunked not last", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400},
      {"TE chunked twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400},
      {"TE chunked twice on two lines",
       "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"TE chunked then identity line",
       "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n", 400},
      {"TE gzip then chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
      {"TE empty", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", 400},
      {"TE trailing comma", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked,\r\n\r\n", 400},
      {"TE chunked with param", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;x=1\r\n\r\n", 400},
      {"TE xchunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", 400},
      {"TE vertical tab", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \vchunked\r\n\r\n", 400},
      {"obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400},
      {"obs-fold with tab", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", 400},
      {"space before first header", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400},
      {"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},
      {"tab before colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400},
      {"space before colon in TE", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", 400},
      {"bare LF after request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400},
      {"bare LF after field", "GET / HTTP/1.1\r\nHost: a\n\r\n", 400},
      {"bare LF end of head", "GET / HTTP/1.1\r\nHost: a\r\n\n", 400},
      {"bare LF only", "GET / HTTP/1.1\nHost: a\n\n", 400},
      {"bare CR in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400},
      {"bare CR end of line", "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400},
      {"bare CR end of head", "GET / HTTP/1.1\r\nHost: a\r\n\rX\r\n", 400},
      {"bare CR after version", "GET / HTTP/1.1\rX\r\nHost: a\r\n\r\n", 400},
      {"NUL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n"s, 400},
      {"NUL in target", "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n"s, 400},
      {"DEL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f\r\n\r\n", 400},
      {"control in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01\r\n\r\n", 400},
      {"control byte before the CR has arrived", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b", 400},
      {"bare LF before the CR has arrived", "GET / HTTP/1.1\r\nHost: a\r\nX: a\nb", 400},
      {"value waiting for its CR", "GET / HTTP/1.1\r\nHost: a\r\nX: a\tb ", kIncomplete},
      {"tab in value allowed", "GET / HTTP/1.1\r\nHost: a\r\nX: a\tb\r\n\r\n", kComplete},
      {"obs-text in value allowed", "GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n", kComplete},
      {"tab in target", "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"non-ASCII in target", "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"empty field name", "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400},
      {"no colon", "GET / HTTP/1.1\r\nHost: a\r\nXb\r\n\r\n", 400},
      {"bad char in field name", "GET / HTTP/1.1\r\nHost: a\r\nX(y): b\r\n\r\n", 400},
      {"non-ASCII field name", "GET / HTTP/1.1\r\nHost: a\r\nX\xc3\xa9: b\r\n\r\n", 400},
      {"bad char in method", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"empty method", " / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"two spaces after method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"two spaces after target", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"space after version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400},
      {"HTTP/0.9 request line", "GET /\r\n\r\n", 400},
      {"lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400},
      {"garbage version", "GET / HTTP/x.y\r\nHost: a\r\n\r\n", 400},
      {"long version", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400},
      {"HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
      {"HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505},
      {"HTTP/0.9 version", "GET / HTTP/0.9\r\n\r\n", 505},
      {"unknown method", "BREW / HTTP/1.1\r\nHost: a\r\n\r\n", kComplete},
      {"absolute-form", "GET http://a/b HTTP/1.1\r\nHost: a\r\n\r\n", kComplete},
      {"absolute-form to another host", "GET http://b/x HTTP/1.1\r\nHost: a\r\n\r\n", kComplete},
      {"absolute-form without Host in HTTP/1.1", "GET http://b/x HTTP/1.1\r\n\r\n", 400},
      {"absolute-form, other scheme", "GET ftp://a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"absolute-form, userinfo", "GET http://u@a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"absolute-form, no authority", "GET http:///b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"relative target", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"asterisk-form", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", kComplete},
      {"CONNECT authority-form (405 later)", "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", kComplete},
      {"one leading CRLF", "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", kComplete},
      {"four leading CRLF", "\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", kComplete},
      {"five leading CRLF", "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"leading bare LF", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"leading space", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"Expect other ignored", "GET / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", kComplete},
      {"body over limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 65537\r\n\r\n", 413},
      {"body at limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 65536\r\n\r\n", kComplete},
      {"incomplete request line", "GET / HTTP/1.1", kIncomplete},
      {"incomplete after CR", "GET / HTTP/1.1\r\nHost: a\r\n\r", kIncomplete},
      {"empty buffer", "", kIncomplete},
  };
  return v;
}

TEST(RequestParser, HostileVectorsGetTheirStatus) {
  for (const Vector& v : hostile_vectors()) {
    const Parsed p = parse(v.input);
    EXPECT_EQ(verdict(p.outcome), v.expected) << v.name << " (reason: " << p.outcome.reason << ")";
  }
}

TEST(RequestParser, ExtractsFieldsInOnePass) {
  const std::string in =
      "GET /a?b HTTP/1.1\r\nHOST: example.org\r\nAccept-Encoding: br, gzip\r\nRange: bytes=0-1\r\n"
      "If-Match: \"x\"\r\nIf-None-Match: \"y\"\r\nIf-Modified-Since: m\r\nIf-Unmodified-Since: u\r\n"
      "If-Range: \"z\"\r\nX-Other:   spaced value  \r\n\r\n";
  const Parsed p = parse(in);
  ASSERT_EQ(p.outcome.state, ParseState::complete);
  EXPECT_EQ(p.outcome.head_bytes, in.size());
  const Request& r = p.request;
  EXPECT_EQ(r.method, Method::get);
  EXPECT_EQ(r.method_token, "GET");
  EXPECT_EQ(r.target, "/a?b");
  EXPECT_EQ(r.version_minor, 1);
  EXPECT_EQ(r.host, "example.org");
  EXPECT_EQ(r.accept_encoding, "br, gzip");
  EXPECT_TRUE(r.has_accept_encoding);
  EXPECT_EQ(r.range, "bytes=0-1");
  EXPECT_EQ(r.if_match, "\"x\"");
  EXPECT_EQ(r.if_none_match, "\"y\"");
  EXPECT_EQ(r.if_modified_since, "m");
  EXPECT_EQ(r.if_unmodified_since, "u");
  EXPECT_EQ(r.if_range, "\"z\"");
  ASSERT_EQ(r.header_count, 9u);
  EXPECT_EQ(r.headers[8].name, "X-Other");
  EXPECT_EQ(r.headers[8].value, "spaced value");
  EXPECT_TRUE(r.keep_alive);
  EXPECT_FALSE(r.chunked);
  // Zero-copy: the views point into the buffer.
  EXPECT_GE(r.host.data(), in.data());
  EXPECT_LT(r.host.data(), in.data() + in.size());
}

TEST(RequestParser, ValueIsTrimmedOfSpacesAndTabsOnBothSides) {
  const Parsed p = parse("GET / HTTP/1.1\r\nHost: a\r\nX: \t a\tb \t\r\nY:\t\r\n\r\n");
  ASSERT_EQ(p.outcome.state, ParseState::complete);
  ASSERT_EQ(p.request.header_count, 3u);
  EXPECT_EQ(p.request.headers[1].value, "a\tb");
  EXPECT_EQ(p.request.headers[2].value, "");
}

TEST(RequestParser, EmptyAcceptEncodingIsPresent) {
  const Parsed p = parse("GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding:\r\n\r\n");
  ASSERT_EQ(p.outcome.state, ParseState::complete);
  EXPECT_TRUE(p.request.has_accept_encoding);
  EXPECT_TRUE(p.request.accept_encoding.empty());
}

TEST(RequestParser, KeepsFirstLineOfRepeatedListHeaders) {
  const Parsed p = parse("GET / HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\nRange: bytes=5-6\r\n\r\n");
  ASSERT_EQ(p.outcome.state, ParseState::complete);
  EXPECT_EQ(p.request.range, "bytes=0-1");
}

TEST(RequestParser, TokenisesMethods) {
  const std::pair<const char*, Method> rows[] = {
      {"GET", Method::get},         {"HEAD", Method::head},   {"OPTIONS", Method::options},
      {"POST", Method::post},       {"PUT", Method::put},     {"DELETE", Method::del},
      {"CONNECT", Method::connect}, {"TRACE", Method::trace}, {"PATCH", Method::patch},
      {"get", Method::other},       {"PROPFIND", Method::other},
  };
  for (const auto& [token, method] : rows) {
    const std::string in = std::string(token) + " / HTTP/1.1\r\nHost: a\r\n\r\n";
    const Parsed p = parse(in);
    ASSERT_EQ(p.outcome.state, ParseState::complete) << token;
    EXPECT_EQ(p.request.method, method) << token;
    EXPECT_EQ(p.request.method_token, token);
  }
}

TEST(RequestParser, KeepAliveFollowsVersionAndConnectionTokens) {
  struct Row { const char* head; bool keep_alive; };
  const Row rows[] = {
      {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nHost: a\r\nConnection: CLOSE\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nHost: a\r\nConnection: foo\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n", true},
      {"GET / HTTP/1.0\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
      {"GET / HTTP/1.0\r\nConnection: x,keep-alive\r\n\r\n", true},
      {"GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", false},
  };
  for (const Row& row : rows) {
    const Parsed p = parse(row.head);
    ASSERT_EQ(p.outcome.state, ParseState::complete) << row.head;
    EXPECT_EQ(p.request.keep_alive, row.keep_alive) << row.head;
  }
}

TEST(RequestParser, ExpectContinueOnlyInHttp11) {
  EXPECT_TRUE(parse("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n\r\n").request.expect_continue);
  EXPECT_FALSE(parse("GET / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n").request.expect_continue);
  EXPECT_FALSE(parse("GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n").request.expect_continue);
}

TEST(RequestParser, ReportsFramingOfTheBody) {
  const Parsed chunked = parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_TRUE(chunked.request.chunked);
  EXPECT_EQ(chunked.request.content_length, 0u);
  const Parsed cl = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n");
  EXPECT_FALSE(cl.request.chunked);
  EXPECT_EQ(cl.request.content_length, 42u);
}

TEST(RequestParser, PipelinedRequestsParseBackToBack) {
  const std::string first = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n";
  const std::string second = "HEAD /2 HTTP/1.1\r\nHost: b\r\n\r\n";
  const std::string third = "GET /3 HTTP/1.1\r\nHo";
  std::string_view buf;
  const std::string all = first + second + third;
  buf = all;
  Parsed p = parse(buf);
  ASSERT_EQ(p.outcome.state, ParseState::complete);
  EXPECT_EQ(p.outcome.head_bytes, first.size());
  EXPECT_EQ(p.request.target, "/1");
  buf.remove_prefix(p.outcome.head_bytes);
  p = parse(buf);
  ASSERT_EQ(p.outcome.state, ParseState::complete);
  EXPECT_EQ(p.outcome.head_bytes, second.size());
  EXPECT_EQ(p.request.method, Method::head);
  EXPECT_EQ(p.request.host, "b");
  buf.remove_prefix(p.outcome.head_bytes);
  EXPECT_EQ(parse(buf).outcome.state, ParseState::incomplete);
}

TEST(RequestParser, AnAbsoluteFormTargetsAuthorityIsTheHostAndHostIsIgnored) {
  // RFC 9112 §3.2.2 (hostile review: absolute-form got 400 when Host differed).
  EXPECT_EQ(parse("GET http://B.example:8080/x HTTP/1.1\r\nHost: a\r\n\r\n").request.host, "B.example:8080");
  EXPECT_EQ(parse("GET HTTPS://b.example?q HTTP/1.1\r\nHost: a\r\n\r\n").request.host, "b.example");
  EXPECT_EQ(parse("GET http://b.example/x HTTP/1.0\r\n\r\n").request.host, "b.example") << "HTTP/1.0 needs no Host";
  EXPECT_EQ(parse("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").request.host, "a");
}

TEST(RequestParser, ByteAtATimeIsIncompleteUntilTheLastByte) {
  const std::string in = "\r\nGET /x HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n";
  for (std::size_t n = 0; n < in.size(); ++n) {
    ASSERT_EQ(parse(std::string_view(in).substr(0, n)).outcome.state, ParseState::incomplete) << n;
  }
  const Parsed p = parse(in);
  ASSERT_EQ(p.outcome.state, ParseState::complete);
  EXPECT_EQ(p.outcome.head_bytes, in.size());
}

TEST(RequestParser, HeadExactlyAtLimitIsAcceptedOneOverIs431) {
  ParserLimits limits;
  limits.max_head_bytes = 100;
  std::string in = "GET / HTTP/1.1\r\nHost: a\r\nX: ";
  in += std::string(100 - in.size() - 4, 'v') + "\r\n\r\n";
  ASSERT_EQ(in.size(), 100u);
  EXPECT_EQ(verdict(parse(in, limits).outcome), kComplete);
  in.insert(in.size() - 4, "v");
  EXPECT_EQ(verdict(parse(in, limits).outcome), 431);
  // Incomplete but already over the bound: no need to wait for more.
  EXPECT_EQ(verdict(parse(in.substr(0, 101), limits).outcome), 431);
}

TEST(RequestParser, TargetExactlyAtLimitIsAcceptedOneOverIs414) {
  ParserLimits limits;
  limits.max_target_bytes = 10;
  const std::string ok = "GET /" + std::string(9, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
  EXPECT_EQ(verdict(parse(ok, limits).outcome), kComplete);
  const std::string over = "GET /" + std::string(10, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
  EXPECT_EQ(verdict(parse(over, limits).outcome), 414);
  // Known before the request line ends.
  EXPECT_EQ(verdict(parse("GET /" + std::string(10, 'a'), limits).outcome), 414);
}

TEST(RequestParser, RequestLineLongerThanHeadLimitIs414) {
  ParserLimits limits;
  limits.max_head_bytes = 64;
  limits.max_target_bytes = 4096;
  const std::string in = "GET /" + std::string(100, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
  EXPECT_EQ(verdict(parse(in, limits).outcome), 414);
}

TEST(RequestParser, HeaderCountAtLimitIsAcceptedOneOverIs431) {
  ParserLimits limits;
  limits.max_headers = 3;
  const std::string ok = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n";
  EXPECT_EQ(verdict(parse(ok, limits).outcome), kComplete);
  const std::string over = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
  EXPECT_EQ(verdict(parse(over, limits).outcome), 431);
}

TEST(RequestParser, EqualsIgnoreCaseComparesAsciiOnly) {
  EXPECT_TRUE(equals_ignore_case("Content-Length", "content-length"));
  EXPECT_FALSE(equals_ignore_case("Content-Length", "content-lengt"));
  EXPECT_FALSE(equals_ignore_case("a", "b"));
  EXPECT_TRUE(equals_ignore_case("", ""));
  EXPECT_FALSE(equals_ignore_case("\xc3\xa9", "\xc3\x89"));
}

}  // namespace
}  // namespace relais::http
