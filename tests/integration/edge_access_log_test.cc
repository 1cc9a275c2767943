// The access log and the per-class request counters on the real relais-edge:
// one line per answered request (errors before a request existed included),
// written off the hot path, reopened on SIGUSR1.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"

namespace relais::testing {
namespace {

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Workers hand their lines over about once a second: polls the file (every
// 20 ms, at most 10 s) until it holds at least `count` lines.
std::vector<std::string> await_lines(const std::string& path, std::size_t count) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::vector<std::string> lines = lines_of(path);
  while (lines.size() < count && std::chrono::steady_clock::now() < until) {
    ::poll(nullptr, 0, 20);
    lines = lines_of(path);
  }
  return lines;
}

bool await_file(const std::string& path) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  struct stat st;
  while (::stat(path.c_str(), &st) != 0) {
    if (std::chrono::steady_clock::now() >= until) return false;
    ::poll(nullptr, 0, 20);
  }
  return true;
}

// The sample of one series; -1 if absent (HELP and TYPE lines start with '#').
double metric(const std::string& body, const std::string& series) {
  const auto at = body.find("\n" + series + " ");
  return at == std::string::npos ? -1.0 : std::stod(body.substr(at + series.size() + 2));
}

TEST(EdgeAccessLog, OneCombinedLinePerRequestAndReopenOnSigusr1) {
  TempDir dir;
  const auto files = standard_tree();
  ASSERT_TRUE(publish_tree(dir, files));
  const std::string log = dir.file("access.log");
  RunningEdge edge = start_edge(dir, {"--access-log", log, "--workers", "1"});
  auto page = http_get(edge.port, "/cours/lecon.html?v=1", {"User-Agent: pupil \"phone\"", "Referer: https://ent.example/"});
  ASSERT_TRUE(page);
  ASSERT_TRUE(http_get(edge.port, "/nulle-part"));
  auto lines = await_lines(log, 2);
  ASSERT_EQ(lines.size(), 2u);
  // Combined log format plus the tier and the request time (seconds, ms
  // resolution); client text escaped so it cannot forge fields.
  const std::regex first(
      R"re(^127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET /cours/lecon\.html\?v=1 HTTP/1\.1" 200 (\d+) "https://ent\.example/" "pupil \\x22phone\\x22" (memory|disk) \d+\.\d{3}$)re");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(lines[0], m, first)) << lines[0];
  EXPECT_EQ(m[1].str(), std::to_string(files.at("cours/lecon.html").size()));
  EXPECT_NE(lines[1].find("\"GET /nulle-part HTTP/1.1\" 404 "), std::string::npos) << lines[1];
  EXPECT_TRUE(std::regex_search(lines[1], std::regex(R"( - \d+\.\d{3}$)"))) << lines[1];  // no tier served a body

  // logrotate: move the file, then SIGUSR1; new lines go to a new file.
  ASSERT_EQ(std::rename(log.c_str(), (log + ".1").c_str()), 0);
  edge.process->send_signal(SIGUSR1);
  ASSERT_TRUE(await_file(log));
  ASSERT_TRUE(http_get(edge.port, "/empty.txt"));
  auto rotated = await_lines(log, 1);
  ASSERT_EQ(rotated.size(), 1u);
  EXPECT_NE(rotated[0].find("\"GET /empty.txt HTTP/1.1\" 200 0 "), std::string::npos) << rotated[0];
  EXPECT_EQ(lines_of(log + ".1").size(), 2u);
}

// 501 and 505 are logged as sent but counted as 4xx with the other refused
// requests: a client sending HTTP/2.0 must not raise the 5xx rate.
TEST(EdgeAccessLog, RefusedRequestsAreLoggedAndCountedAsClientErrors) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  const std::string log = dir.file("access.log");
  RunningEdge edge = start_edge(dir, {"--access-log", log, "--workers", "1", "--header-timeout", "1s"});
  struct Row {
    const char* bytes;
    int status;
  };
  const Row rows[] = {
      {"GET /index.html HTTP/2.0\r\nHost: x\r\n\r\n", 505},
      {"GET /index.html HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
      {"GET /index.html HTTP/1.1\r\nHost : x\r\n\r\n", 400},
      {"GET /index.html HTTP/1.1\r\nHost: x\r\n", 408},  // the head never ends
  };
  for (const Row& row : rows) {
    RawClient c(edge.port);
    ASSERT_TRUE(c.send(row.bytes));
    auto r = c.read_response();
    ASSERT_TRUE(r) << row.bytes;
    EXPECT_EQ(r->status, row.status) << row.bytes;
    EXPECT_TRUE(c.wait_closed());
  }
  auto lines = await_lines(log, 4);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_NE(lines[0].find("\" 505 "), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("\" 501 "), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("\" 400 "), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find("\"- - HTTP/1.1\" 408 "), std::string::npos) << lines[3];  // nothing was parsed
  auto m = http_get(edge.admin_port, "/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(metric(m->body, "relais_requests_total{class=\"5xx\"}"), 0) << m->body;
  EXPECT_EQ(metric(m->body, "relais_requests_total{class=\"4xx\"}"), 4);
  EXPECT_EQ(metric(m->body, "relais_errors_total{kind=\"bad_request\"}"), 3);
  EXPECT_EQ(metric(m->body, "relais_errors_total{kind=\"header_timeout\"}"), 1);
  // Error pages are bytes on the wire too.
  EXPECT_GT(metric(m->body, "relais_sent_bytes_total"), metric(m->body, "relais_response_body_bytes_total"));
}

}  // namespace
}  // namespace relais::testing
