#include "edge/server/request_log_line.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <algorithm>

namespace relais {
namespace {

PeerAddress ipv4(const char* text) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  inet_pton(AF_INET, text, &in.sin_addr);
  return PeerAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&in));
}

// A request whose header fields live in the returned object.
struct TestRequest {
  TestRequest(std::string_view method, std::string_view target, std::string_view user_agent, std::string_view referer) {
    headers[0] = {"User-Agent", user_agent};
    headers[1] = {"Referer", referer};
    request.method_token = method;
    request.target = target;
    request.headers = headers;
    request.header_count = 2;
  }
  TestRequest(const TestRequest&) = delete;
  http::HeaderField headers[2];
  http::Request request;
};

http::ResponseSummary summary(std::uint16_t status, std::uint64_t bytes = 0) {
  http::ResponseSummary s;
  s.status = status;
  s.body_bytes = bytes;
  return s;
}

std::string line_of(AccessLogFormat format, std::int64_t when, const PeerAddress& peer, const http::Request& r,
                    const http::ResponseSummary& s, ExchangeTiming timing = {}, std::string_view site = "default",
                    bool named_sites = false) {
  std::string line;
  append_log_line_head(line, format, LogLineHead{when, &peer, &r, &s, "HTTP/1.1", site, named_sites});
  append_log_line_tail(line, format, timing);
  return line;
}

TEST(RequestLogLine, CombinedFormatWithTierAndRequestTime) {
  TestRequest t("GET", "/cours/", "curl/7.88", "http://x/");
  http::ResponseSummary s = summary(200, 5120);
  s.from_memory = true;
  EXPECT_EQ(line_of(AccessLogFormat::combined, 1795420801, ipv4("203.0.113.7"), t.request, s, {1'000, 12'345}),
            "203.0.113.7 - - [23/Nov/2026:08:00:01 +0000] \"GET /cours/ HTTP/1.1\" 200 5120 \"http://x/\" \"curl/7.88\" memory 0.012\n");
}

TEST(RequestLogLine, CombinedRequestTimeCarriesWholeSeconds) {
  http::Request r;
  http::ResponseSummary s;
  s.status = 404;
  const std::string line = line_of(AccessLogFormat::combined, 0, ipv4("127.0.0.1"), r, s, {0, 61'007'999});
  EXPECT_TRUE(line.ends_with("\"-\" \"-\" - 61.007\n")) << line;
}

TEST(RequestLogLine, TheSiteComesBeforeTheRequestTimeWhenSitesAreConfigured) {
  http::Request r;
  r.method_token = "GET";
  r.target = "/";
  http::ResponseSummary s;
  s.status = 200;
  s.from_disk = true;
  s.site = 1;
  const std::string line =
      line_of(AccessLogFormat::combined, 1795420801, ipv4("203.0.113.7"), r, s, {0, 12'000}, "rectorat", true);
  EXPECT_EQ(line, "203.0.113.7 - - [23/Nov/2026:08:00:01 +0000] \"GET / HTTP/1.1\" 200 0 \"-\" \"-\" disk rectorat 0.012\n");
  // No site answered (an unknown host): "-", so the request time stays the last field and the count is the same.
  s.status = 404;
  s.from_disk = false;
  const std::string none = line_of(AccessLogFormat::combined, 1795420801, ipv4("203.0.113.7"), r, s, {0, 1'000}, "-", true);
  EXPECT_TRUE(none.ends_with("\"-\" \"-\" - - 0.001\n")) << none;
}

TEST(RequestLogLine, ClientTextCannotForgeLines) {
  TestRequest t("GET", "/a\"b", "evil\"\n127.0.0.1 - - fake\\", "");
  const std::string line = line_of(AccessLogFormat::combined, 0, ipv4("127.0.0.1"), t.request, summary(404));
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  EXPECT_NE(line.find("/a\\x22b"), std::string::npos) << line;
  EXPECT_NE(line.find("evil\\x22\\x0a127.0.0.1 - - fake\\x5c"), std::string::npos) << line;
}

TEST(RequestLogLine, LongFieldsAreTruncated) {
  std::string target(10000, 'a');
  http::Request r;
  r.method_token = "GET";
  r.target = target;
  http::ResponseSummary s;
  s.status = 200;
  EXPECT_LT(line_of(AccessLogFormat::combined, 0, ipv4("127.0.0.1"), r, s).size(), 1000u);
  EXPECT_LT(line_of(AccessLogFormat::json, 0, ipv4("127.0.0.1"), r, s).size(), 1000u);
}

TEST(RequestLogLine, JsonLineHasEveryField) {
  TestRequest t("GET", "/cours/", "curl/7.88", "http://x/");
  t.headers[0].name = "user-agent";  // header names are case-insensitive
  http::ResponseSummary s = summary(206, 100);
  s.from_disk = true;
  s.content_encoding = "br";
  EXPECT_EQ(line_of(AccessLogFormat::json, 1795420801, ipv4("203.0.113.7"), t.request, s, {250, 1'500}),
            "{\"time\":\"2026-11-23T08:00:01Z\",\"remote_addr\":\"203.0.113.7\",\"method\":\"GET\",\"target\":\"/cours/\","
            "\"protocol\":\"HTTP/1.1\",\"status\":206,\"bytes\":100,\"tier\":\"disk\",\"content_encoding\":\"br\","
            "\"user_agent\":\"curl/7.88\",\"referer\":\"http://x/\",\"site\":\"default\",\"request_time\":0.001,\"ttfb\":0.000}\n");
}

TEST(RequestLogLine, JsonWithoutRequestSaysNone) {
  http::Request r;  // a 408 or a head the parser refused early
  http::ResponseSummary s;
  s.status = 408;
  const std::string line = line_of(AccessLogFormat::json, 0, ipv4("127.0.0.1"), r, s);
  EXPECT_NE(line.find("\"method\":\"\",\"target\":\"\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"tier\":\"none\",\"content_encoding\":\"\""), std::string::npos) << line;
}

// One row per hostile byte sequence: what the JSON string holds for it.
struct JsonEscapeRow {
  std::string_view input;
  std::string_view escaped;
};

TEST(RequestLogLine, JsonEscapesHostileText) {
  const JsonEscapeRow rows[] = {
      {"plain /cours/a.html?x=1", "plain /cours/a.html?x=1"},
      {"quote\"back\\slash", "quote\\\"back\\\\slash"},
      {"line\nfeed\rreturn\ttab", "line\\u000afeed\\u000dreturn\\u0009tab"},
      {std::string_view("nul\0byte", 8), "nul\\u0000byte"},
      {"del\x7f", "del\\u007f"},
      {"esc\x1b[31m", "esc\\u001b[31m"},
      {"caf\xc3\xa9", "caf\xc3\xa9"},                          // valid UTF-8 stays as it is
      {"\xe2\x82\xac \xf0\x9f\x98\x80", "\xe2\x82\xac \xf0\x9f\x98\x80"},  // 3- and 4-byte sequences
      {"latin1 caf\xe9", "latin1 caf\\u00e9"},                  // a lone high byte
      {"\xc0\xaf", "\\u00c0\\u00af"},                            // overlong '/'
      {"\xe0\x80\xaf", "\\u00e0\\u0080\\u00af"},                 // overlong, 3 bytes
      {"\xed\xa0\x80", "\\u00ed\\u00a0\\u0080"},                 // a UTF-16 surrogate
      {"\xf4\x90\x80\x80", "\\u00f4\\u0090\\u0080\\u0080"},      // beyond U+10FFFF
      {"\xf5\xff", "\\u00f5\\u00ff"},                            // never in UTF-8
      {"cut \xe2\x82", "cut \\u00e2\\u0082"},                    // a sequence cut short
      {"\x80 continuation", "\\u0080 continuation"},
      {"\xe2\x28\xa1", "\\u00e2(\\u00a1"},                       // a bad second byte
      {"\"}\n{\"status\":200", "\\\"}\\u000a{\\\"status\\\":200"},  // a forged object
  };
  for (const JsonEscapeRow& row : rows) {
    std::string out;
    append_json_escaped(out, row.input);
    EXPECT_EQ(out, row.escaped) << "input: " << row.input;
  }
}

TEST(RequestLogLine, JsonHostileTargetAndUserAgentStayOneLine) {
  TestRequest t("G\"T", "/\xc3\x28\n", "x\"}\n{\"forged\":\"\xff\"", "\\\x01");
  const std::string line = line_of(AccessLogFormat::json, 0, ipv4("127.0.0.1"), t.request, summary(400));
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << line;
  EXPECT_TRUE(line.ends_with("}\n"));
  EXPECT_NE(line.find("\"user_agent\":\"x\\\"}\\u000a{\\\"forged\\\":\\\"\\u00ff\\\"\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"target\":\"/\\u00c3(\\u000a\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"method\":\"G\\\"T\""), std::string::npos) << line;
}

TEST(RequestLogLine, FormatNames) {
  AccessLogFormat f = AccessLogFormat::combined;
  EXPECT_TRUE(parse_access_log_format("json", f));
  EXPECT_EQ(f, AccessLogFormat::json);
  EXPECT_TRUE(parse_access_log_format("combined", f));
  EXPECT_EQ(f, AccessLogFormat::combined);
  EXPECT_FALSE(parse_access_log_format("JSON", f));
  EXPECT_FALSE(parse_access_log_format("", f));
  EXPECT_EQ(access_log_format_name(AccessLogFormat::json), "json");
}

}  // namespace
}  // namespace relais
