// Observability on the real relais-edge: the response histograms, the
// exposition checked by Prometheus's own tools (promtool, and a real
// Prometheus server scraping the admin listener), and the JSON access log
// read back by Python's json module.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"

namespace relais::testing {
namespace {

using Clock = std::chrono::steady_clock;

// The sample of one series; -1 if absent.
double sample(const std::string& exposition, const std::string& series) {
  const auto at = exposition.find("\n" + series + " ");
  return at == std::string::npos ? -1.0 : std::stod(exposition.substr(at + series.size() + 2));
}

std::string metrics_of(const RunningEdge& edge) {
  auto m = http_get(edge.admin_port, "/metrics");
  EXPECT_TRUE(m && m->status == 200);
  return m ? m->body : std::string();
}

// An executable in $PATH, or nullopt (the test is then skipped).
std::optional<std::string> find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

// A port nothing listens on right now: Prometheus cannot be told to pick
// one itself (--web.listen-address=...:0 does not report what it bound), so
// the caller retries if another process takes it first.
std::uint16_t unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof a;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length) == 0;
  ::close(fd);
  return ok ? ntohs(a.sin_port) : 0;
}

class EdgeObservability : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    files_ = standard_tree();
    ASSERT_TRUE(publish_tree(*dir_, files_));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  // A few responses of each kind: 200 from memory and disk, 206, 304, 404.
  static void send_some_requests(const RunningEdge& edge) {
    ASSERT_TRUE(http_get(edge.port, "/cours/lecon.html"));
    ASSERT_TRUE(http_get(edge.port, "/cours/lecon.html", {"Accept-Encoding: br"}));
    ASSERT_TRUE(http_get(edge.port, "/videos/big.bin", {"Range: bytes=0-99"}));
    auto page = http_get(edge.port, "/cours/style.css");
    ASSERT_TRUE(page);
    ASSERT_TRUE(http_get(edge.port, "/cours/style.css", {"If-None-Match: " + page->header("ETag")}));
    ASSERT_TRUE(http_get(edge.port, "/nulle-part"));
  }

  static TempDir* dir_;
  static std::map<std::string, std::string> files_;
};

TempDir* EdgeObservability::dir_ = nullptr;
std::map<std::string, std::string> EdgeObservability::files_;

TEST_F(EdgeObservability, HistogramsCountEveryResponseBySiteAndClass) {
  RunningEdge edge = start_edge(*dir_, {"--workers", "2"});
  const std::string big = "/videos/big.bin";
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(http_get(edge.port, big));
  ASSERT_TRUE(http_get(edge.port, "/nulle-part"));
  ASSERT_TRUE(http_get(edge.port, "/nulle-part", {}, "HEAD"));
  // Pipelined: each response of the connection is its own observation.
  RawClient c(edge.port);
  ASSERT_TRUE(c.send("GET /empty.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /nulle-part HTTP/1.1\r\nHost: x\r\n\r\n"
                     "GET /empty.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(c.read_response()) << i;
  const std::string ok = "{site=\"default\",class=\"2xx\"}";
  const std::string missing = "{site=\"default\",class=\"4xx\"}";
  // A response is recorded once its last byte is handed to the socket, just
  // after the write: the client may have read it before the worker records it.
  std::string m;
  for (const auto until = Clock::now() + std::chrono::seconds(10); Clock::now() < until; ::poll(nullptr, 0, 20)) {
    m = metrics_of(edge);
    if (sample(m, "relais_request_duration_seconds_count" + ok) == 5 &&
        sample(m, "relais_request_duration_seconds_count" + missing) == 3)
      break;
  }
  EXPECT_EQ(sample(m, "relais_request_duration_seconds_count" + ok), 5) << m;
  EXPECT_EQ(sample(m, "relais_time_to_first_byte_seconds_count" + ok), 5);
  EXPECT_EQ(sample(m, "relais_response_size_bytes_count" + ok), 5);
  EXPECT_EQ(sample(m, "relais_request_duration_seconds_count" + missing), 3);
  // Sizes are body bytes: three whole videos in the 4 MiB bucket, two empty files in the first.
  const double video = static_cast<double>(files_.at("videos/big.bin").size());
  EXPECT_EQ(sample(m, "relais_response_size_bytes_sum" + ok), 3 * video);
  EXPECT_EQ(sample(m, "relais_response_size_bytes_bucket{site=\"default\",class=\"2xx\",le=\"256\"}"), 2);
  EXPECT_EQ(sample(m, "relais_response_size_bytes_bucket{site=\"default\",class=\"2xx\",le=\"1048576\"}"), 2);
  EXPECT_EQ(sample(m, "relais_response_size_bytes_bucket{site=\"default\",class=\"2xx\",le=\"4194304\"}"), 5);
  // The first byte never comes after the last.
  EXPECT_LE(sample(m, "relais_time_to_first_byte_seconds_sum" + ok), sample(m, "relais_request_duration_seconds_sum" + ok));
  EXPECT_EQ(sample(m, "relais_request_duration_seconds_bucket{site=\"default\",class=\"2xx\",le=\"+Inf\"}"), 5);
}

// A client that goes away mid-download: its response is timed to the close,
// counted in the histograms and logged all the same.
TEST_F(EdgeObservability, AResponseCutByItsClientIsStillTimedAndLogged) {
  const std::string log = dir_->file("cut.log");
  RunningEdge edge = start_edge(*dir_, {"--workers", "1", "--access-log", log});
  {
    // A 4 KiB window: most of the 3 MiB video cannot leave the edge.
    RawClient c(edge.port, "127.0.0.1", 4096);
    ASSERT_TRUE(c.send("GET /videos/big.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
  }  // closed without reading
  const std::string series = "relais_request_duration_seconds_count{site=\"default\",class=\"2xx\"}";
  double count = -1;
  for (const auto until = Clock::now() + std::chrono::seconds(10); count != 1 && Clock::now() < until;) {
    count = sample(metrics_of(edge), series);
    if (count != 1) ::poll(nullptr, 0, 20);
  }
  EXPECT_EQ(count, 1);
  std::string text;
  for (const auto until = Clock::now() + std::chrono::seconds(10); Clock::now() < until;) {
    text = read_file(log);
    if (text.find('\n') != std::string::npos) break;
    ::poll(nullptr, 0, 20);
  }
  EXPECT_NE(text.find("\"GET /videos/big.bin HTTP/1.1\" 200 " + std::to_string(files_.at("videos/big.bin").size())),
            std::string::npos) << text;
}

TEST_F(EdgeObservability, PromtoolAcceptsTheExposition) {
  const auto promtool = find_in_path("promtool");
  if (!promtool) GTEST_SKIP() << "promtool not installed (Debian package prometheus)";
  // Every optional family on: the origin sync of a signed publication, the
  // background re-hash, TLS.
  const ProcessResult keys = run_process({RELAIS_SYNC_BIN, "keygen", dir_->file("publisher.key"), dir_->file("publisher.pub")});
  ASSERT_EQ(keys.exit_code, 0) << keys.err;
  const ProcessResult signed_publish = run_process({RELAIS_SYNC_BIN, "publish", dir_->file("src"), dir_->file("signed"),
                                                    "--sign-key", dir_->file("publisher.key"), "--quiet"});
  ASSERT_EQ(signed_publish.exit_code, 0) << signed_publish.err;
  const ProcessResult cert = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                          "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir_->file("tls.key"), "-out",
                                          dir_->file("tls.pem"), "-days", "2", "-subj", "/CN=localhost"});
  ASSERT_EQ(cert.exit_code, 0) << cert.err;
  RunningEdge edge = start_edge(*dir_, {"--workers", "2", "--store", dir_->file("synced"), "--origin", dir_->file("signed"),
                                        "--trusted-key", dir_->file("publisher.pub"), "--rehash-rate", "16M", "--tls-listen", "127.0.0.1:0", "--tls-cert",
                                        dir_->file("tls.pem"), "--tls-key", dir_->file("tls.key")});
  // Requests once the first sync has loaded a catalog, so that 2xx, 3xx and 4xx all appear.
  bool loaded = false;
  for (const auto until = Clock::now() + std::chrono::seconds(20); !loaded && Clock::now() < until;) {
    auto health = http_get(edge.admin_port, "/healthz");
    loaded = health && health->status == 200;
    if (!loaded) ::poll(nullptr, 0, 20);
  }
  ASSERT_TRUE(loaded);
  send_some_requests(edge);
  const std::string exposition = metrics_of(edge);
  for (const char* family : {"relais_request_duration_seconds_bucket", "relais_sync_runs_total",
                             "relais_blob_rehash_blobs_total", "relais_tls_handshakes_total",
                             "relais_publication_expiry_timestamp_seconds"}) {
    EXPECT_NE(exposition.find(family), std::string::npos) << family;
  }
  dir_->write("metrics.txt", exposition);
  // promtool reads the exposition on stdin only.
  ProcessResult r = run_process({"/bin/sh", "-c", *promtool + " check metrics < " + dir_->file("metrics.txt")},
                                std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out + r.err, "") << "promtool's lint findings";
}

// A real Prometheus scrapes the admin listener and answers a query with what
// the edge counted.
TEST_F(EdgeObservability, PrometheusScrapesTheAdminListener) {
  const auto prometheus = find_in_path("prometheus");
  if (!prometheus) GTEST_SKIP() << "prometheus not installed (Debian package prometheus)";
  RunningEdge edge = start_edge(*dir_, {"--workers", "1"});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(http_get(edge.port, "/cours/lecon.html"));
  TempDir scratch;
  scratch.write("prometheus.yml", "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                                  "scrape_configs:\n  - job_name: relais\n    static_configs:\n"
                                  "      - targets: ['127.0.0.1:" + std::to_string(edge.admin_port) + "']\n");
  std::unique_ptr<Subprocess> server;
  std::uint16_t port = 0;
  for (int attempt = 0; attempt < 3 && server == nullptr; ++attempt) {  // another process may take the port first
    port = unused_port();
    ASSERT_NE(port, 0);
    auto p = std::make_unique<Subprocess>(std::vector<std::string>{
        *prometheus, "--config.file=" + scratch.file("prometheus.yml"), "--storage.tsdb.path=" + scratch.file("data"),
        "--web.listen-address=127.0.0.1:" + std::to_string(port), "--log.level=info"});
    // Prometheus logs to stderr.
    if (p->wait_for_stderr_text("Server is ready to receive web requests", std::chrono::seconds(15))) server = std::move(p);
  }
  ASSERT_NE(server, nullptr) << "prometheus did not start";
  // The first scrape comes within one interval (at an offset Prometheus
  // derives from the target); query until it has the value or the deadline.
  const std::string query = "/api/v1/query?query=relais_requests_total%7Bclass%3D%222xx%22%7D";
  std::string answer;
  for (const auto until = Clock::now() + std::chrono::seconds(15); Clock::now() < until;) {
    auto r = http_get(port, query);
    if (r && r->status == 200) {
      answer = r->body;
      if (answer.find("\"3\"]") != std::string::npos) break;
    }
    ::poll(nullptr, 0, 100);  // between two queries, not as synchronisation: the loop waits for the value
  }
  EXPECT_NE(answer.find("\"status\":\"success\""), std::string::npos) << answer;
  EXPECT_NE(answer.find("\"job\":\"relais\""), std::string::npos) << answer;
  EXPECT_NE(answer.find("\"3\"]"), std::string::npos) << answer;  // [timestamp, "3"]
  server->send_signal(SIGTERM);
  EXPECT_TRUE(server->wait_exit(std::chrono::seconds(10)).has_value());
}

// Hostile client text must leave every line valid JSON (and valid UTF-8:
// Python decodes the file strictly); each line says what the client got.
TEST_F(EdgeObservability, JsonAccessLogLinesParseWithPython) {
  const std::string log = dir_->file("access.json");
  RunningEdge edge = start_edge(*dir_, {"--workers", "1", "--access-log", log, "--access-log-format", "json"});
  struct Row {
    std::string request;
    int status = 0;  // filled in from the answer
  };
  std::vector<Row> rows = {
      {"GET /cours/lecon.html HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\n"
       "User-Agent: pupil \"phone\" \\ caf\xc3\xa9 \xff\xfe\r\nReferer: https://ent.example/\xe9\r\n\r\n"},
      {"GET /cours/style.css?q=%22x%22 HTTP/1.0\r\nUser-Agent: \xc0\xaf\xed\xa0\x80\r\n\r\n"},
      {"GET /\xff\"}\n HTTP/1.1\r\nHost: x\r\n\r\n"},  // refused by the parser, logged all the same
      {"G\x01T / HTTP/1.1\r\nHost: x\r\n\r\n"},
  };
  for (Row& row : rows) {
    RawClient c(edge.port);
    ASSERT_TRUE(c.send(row.request));
    auto r = c.read_response();
    ASSERT_TRUE(r) << row.request;
    row.status = r->status;
  }
  // Workers hand lines over about once a second: wait for all of them.
  std::string text;
  for (const auto until = Clock::now() + std::chrono::seconds(10); Clock::now() < until;) {
    text = read_file(log);
    if (std::count(text.begin(), text.end(), '\n') >= static_cast<long>(rows.size())) break;
    ::poll(nullptr, 0, 20);
  }
  const char* script =
      "import json, sys\n"
      "keys = ['time', 'remote_addr', 'method', 'target', 'protocol', 'status', 'bytes', 'tier',\n"
      "        'content_encoding', 'user_agent', 'referer', 'site', 'request_time', 'ttfb']\n"
      "for line in open(sys.argv[1], 'rb').read().decode('utf-8').splitlines():\n"
      "    o = json.loads(line)\n"
      "    assert list(o) == keys, list(o)\n"
      "    assert o['time'].endswith('Z') and o['remote_addr'] == '127.0.0.1' and o['site'] == 'default'\n"
      "    assert isinstance(o['request_time'], float) and 0 <= o['ttfb'] <= o['request_time']\n"
      "    assert o['tier'] == ('none' if o['status'] >= 400 else o['tier']) and o['tier'] in ('memory', 'disk', 'none')\n"
      "    print(json.dumps([o['status'], o['method'], o['target'], o['protocol'],\n"
      "                      o['content_encoding'], o['user_agent'], o['referer']]))\n";
  ProcessResult r = run_process({"python3", "-c", script, log}, std::chrono::seconds(30));
  ASSERT_EQ(r.exit_code, 0) << r.err << text;
  std::istringstream lines(r.out);
  std::vector<std::string> parsed;
  for (std::string line; std::getline(lines, line);) parsed.push_back(line);
  ASSERT_EQ(parsed.size(), rows.size()) << r.out;
  // \u00XX is the raw byte XX; valid UTF-8 (caf\u00e9 in the first) is kept as is.
  EXPECT_EQ(parsed[0], "[200, \"GET\", \"/cours/lecon.html\", \"HTTP/1.1\", \"br\", "
                       "\"pupil \\\"phone\\\" \\\\ caf\\u00e9 \\u00ff\\u00fe\", \"https://ent.example/\\u00e9\"]")
      << text;
  EXPECT_EQ(parsed[1], "[" + std::to_string(rows[1].status) +
                           ", \"GET\", \"/cours/style.css?q=%22x%22\", \"HTTP/1.0\", \"\", "
                           "\"\\u00c0\\u00af\\u00ed\\u00a0\\u0080\", \"\"]")
      << text;
  for (std::size_t i = 2; i < rows.size(); ++i) {
    EXPECT_TRUE(parsed[i].starts_with("[" + std::to_string(rows[i].status) + ",")) << parsed[i];
    EXPECT_GE(rows[i].status, 400);
  }
}

// The example alert rules of docs/OPERATIONS.md stay valid PromQL.
TEST(OperationsDoc, AlertRulesPassPromtool) {
  const auto promtool = find_in_path("promtool");
  if (!promtool) GTEST_SKIP() << "promtool not installed (Debian package prometheus)";
  const std::string doc = read_file(std::string(RELAIS_SOURCE_DIR) + "/docs/OPERATIONS.md");
  const auto begin = doc.find("```yaml\ngroups:");
  ASSERT_NE(begin, std::string::npos) << "no rule group in docs/OPERATIONS.md";
  const auto body = begin + std::string_view("```yaml\n").size();
  const auto end = doc.find("```", body);
  ASSERT_NE(end, std::string::npos);
  TempDir dir;
  dir.write("rules.yml", doc.substr(body, end - body));
  ProcessResult r = run_process({*promtool, "check", "rules", dir.file("rules.yml")}, std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace relais::testing
