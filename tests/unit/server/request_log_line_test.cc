#include "edge/server/request_log_line.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

namespace relais {
namespace {

PeerAddress ipv4(const char* text) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  inet_pton(AF_INET, text, &in.sin_addr);
  return PeerAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&in));
}

TEST(RequestLogLine, CombinedFormatWithTier) {
  http::HeaderField headers[2] = {{"User-Agent", "curl/7.88"}, {"Referer", "http://x/"}};
  http::Request r;
  r.method_token = "GET";
  r.target = "/cours/";
  r.headers = headers;
  r.header_count = 2;
  http::ResponseSummary s;
  s.status = 200;
  s.body_bytes = 5120;
  s.from_memory = true;
  std::string line;
  append_request_log_line(line, 1795420801, ipv4("203.0.113.7"), r, s);
  EXPECT_EQ(line, "203.0.113.7 - - [23/Nov/2026:08:00:01 +0000] \"GET /cours/ HTTP/1.1\" 200 5120 \"http://x/\" \"curl/7.88\" memory\n");
}

TEST(RequestLogLine, TheSiteIsTheLastFieldWhenSitesAreConfigured) {
  http::Request r;
  r.method_token = "GET";
  r.target = "/";
  http::ResponseSummary s;
  s.status = 200;
  s.from_disk = true;
  s.site = 1;
  s.site_name = "rectorat";
  std::string line;
  append_request_log_line(line, 1795420801, ipv4("203.0.113.7"), r, s);
  EXPECT_EQ(line, "203.0.113.7 - - [23/Nov/2026:08:00:01 +0000] \"GET / HTTP/1.1\" 200 0 \"-\" \"-\" disk rectorat\n");
}

TEST(RequestLogLine, ClientTextCannotForgeLines) {
  http::HeaderField headers[1] = {{"User-Agent", "evil\"\n127.0.0.1 - - fake\\"}};
  http::Request r;
  r.method_token = "GET";
  r.target = "/a\"b";
  r.headers = headers;
  r.header_count = 1;
  http::ResponseSummary s;
  s.status = 404;
  std::string line;
  append_request_log_line(line, 0, ipv4("127.0.0.1"), r, s);
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
  std::string line;
  append_request_log_line(line, 0, ipv4("127.0.0.1"), r, s);
  EXPECT_LT(line.size(), 1000u);
}

}  // namespace
}  // namespace relais
