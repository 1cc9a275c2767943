// The admin listener: health, metrics, purge, and catalog reload on SIGHUP.
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"

namespace relais::testing {
namespace {

std::optional<HttpResponse> admin(std::uint16_t port, std::string_view method, std::string_view target,
                                  const std::vector<std::string>& headers = {}) {
  return http_get(port, target, headers, method);
}

TEST(EdgeAdmin, HealthIs503WithoutCatalogAnd200WithOne) {
  TempDir dir;
  dir.write("out/.keep", "");
  RunningEdge edge = start_edge(dir);
  ASSERT_NE(edge.port, 0);
  auto health = admin(edge.admin_port, "GET", "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  auto page = http_get(edge.port, "/index.html");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 503);

  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  edge.process->send_signal(SIGHUP);
  ASSERT_TRUE(edge.process->wait_for_line("catalog generation 1"));
  health = admin(edge.admin_port, "GET", "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  page = http_get(edge.port, "/index.html");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
}

TEST(EdgeAdmin, MetricsCountRequestsAndTiers) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(http_get(edge.port, "/index.html"));
  ASSERT_TRUE(http_get(edge.port, "/missing"));
  auto m = admin(edge.admin_port, "GET", "/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 200);
  EXPECT_NE(m->body.find("relais_requests_total{class=\"2xx\"} 3\n"), std::string::npos) << m->body;
  EXPECT_NE(m->body.find("relais_requests_total{class=\"4xx\"} 1\n"), std::string::npos);
  EXPECT_NE(m->body.find("relais_not_found_total 1\n"), std::string::npos);
  EXPECT_NE(m->body.find("relais_catalog_generation{site=\"default\"} 1\n"), std::string::npos);
  // The first request on each worker reads the blob from disk (and fills the
  // memory tier): a disk hit, not a memory hit.
  auto value = [&](const std::string& series) {
    auto at = m->body.find(series + " ");
    return at == std::string::npos ? -1.0 : std::stod(m->body.substr(at + series.size() + 1));
  };
  double memory = value("relais_cache_hits_total{tier=\"memory\"}");
  double disk = value("relais_cache_hits_total{tier=\"disk\"}");
  EXPECT_GE(disk, 1);
  EXPECT_LE(disk, 2);  // at most one fill per worker
  EXPECT_EQ(memory + disk, 3);
}

TEST(EdgeAdmin, PurgeNeedsTheTokenAndRemovesThePath) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir);
  auto no_token = admin(edge.admin_port, "POST", "/purge?path=/cours/lecon.html");
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 401);
  auto wrong = admin(edge.admin_port, "POST", "/purge?path=/cours/lecon.html", {"Authorization: Bearer nope"});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto get = admin(edge.admin_port, "GET", "/purge?path=/cours/lecon.html", {"Authorization: Bearer secret-token"});
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  ASSERT_EQ(http_get(edge.port, "/cours/lecon.html")->status, 200);
  auto ok = admin(edge.admin_port, "POST", "/purge?path=/cours/lecon.html", {"Authorization: Bearer secret-token"});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "purged 1\n");
  EXPECT_EQ(http_get(edge.port, "/cours/lecon.html")->status, 404);
  EXPECT_EQ(http_get(edge.port, "/cours/style.css")->status, 200);
  auto prefix = admin(edge.admin_port, "POST", "/purge?path=/cours/", {"Authorization: Bearer secret-token"});
  ASSERT_TRUE(prefix);
  EXPECT_EQ(http_get(edge.port, "/cours/style.css")->status, 404);
  EXPECT_EQ(http_get(edge.port, "/index.html")->status, 200);
}

// Hostile review: two Authorization lines (a proxy in front may check one,
// the edge the other) and a site named twice are 400, and nothing is purged.
TEST(EdgeAdmin, TwoAuthorizationLinesOrASiteGivenTwiceAre400) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir);
  const std::string token = "Authorization: Bearer secret-token";
  auto twice = admin(edge.admin_port, "POST", "/purge?path=/cours/lecon.html", {token, token});
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->status, 400) << twice->body;
  auto other = admin(edge.admin_port, "POST", "/purge?path=/cours/lecon.html", {"Authorization: Bearer nope", token});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 400) << other->body;
  auto sites = admin(edge.admin_port, "POST", "/purge?site=default&site=default&path=/cours/lecon.html", {token});
  ASSERT_TRUE(sites);
  EXPECT_EQ(sites->status, 400) << sites->body;
  EXPECT_EQ(http_get(edge.port, "/cours/lecon.html")->status, 200) << "nothing purged";
  auto once = admin(edge.admin_port, "POST", "/purge?site=default&path=/cours/lecon.html", {token});
  ASSERT_TRUE(once);
  EXPECT_EQ(once->status, 200) << once->body;
}

// The admin listener once answered "HTTP/1.1 401 Unknown" (no phrase in the table).
TEST(EdgeAdmin, RefusedPurgeHasItsReasonPhrase) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir);
  RawClient c(edge.admin_port);
  ASSERT_TRUE(c.send("POST /purge?path=/index.html HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n\r\n"));
  std::string raw;
  EXPECT_TRUE(c.wait_closed(std::chrono::seconds(10), &raw));
  EXPECT_EQ(raw.substr(0, raw.find("\r\n")), "HTTP/1.1 401 Unauthorized") << raw;
}

TEST(EdgeAdmin, HeadHasTheHeadOfGetAndNoBodyAnd405SaysAllow) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir);
  auto get = admin(edge.admin_port, "GET", "/healthz");
  ASSERT_TRUE(get);
  ASSERT_FALSE(get->body.empty());
  RawClient c(edge.admin_port);
  ASSERT_TRUE(c.send("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = c.read_response(/*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("Content-Length"), std::to_string(get->body.size()));
  std::string after_head = c.leftover();
  EXPECT_TRUE(c.wait_closed(std::chrono::seconds(10), &after_head));
  EXPECT_EQ(after_head, "");  // no body bytes after the head
  auto wrong = admin(edge.admin_port, "DELETE", "/metrics");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->header("Allow"), "GET, HEAD");
  auto purge = admin(edge.admin_port, "GET", "/purge?path=/a");
  ASSERT_TRUE(purge);
  EXPECT_EQ(purge->header("Allow"), "POST");
}

// --sendfile-min: over plain HTTP a body that large goes out with sendfile()
// even once the memory tier holds it; smaller ones keep coming from RAM.
TEST(EdgeAdmin, BodiesFromSendfileMinAreServedFromTheirFile) {
  TempDir dir;
  const auto files = standard_tree();
  ASSERT_TRUE(publish_tree(dir, files));
  RunningEdge edge = start_edge(dir, {"--workers", "1", "--sendfile-min", "16K"});
  const std::string pdf = "/cours/S%C3%A9ance%203%20%E2%80%94%20fractions.pdf";  // 20 KiB
  for (int i = 0; i < 3; ++i) {
    auto big = http_get(edge.port, pdf);
    ASSERT_TRUE(big);
    EXPECT_EQ(big->body, files.at("cours/Séance 3 — fractions.pdf"));
    auto small = http_get(edge.port, "/cours/style.css", {"Accept-Encoding: identity"});  // 4 KiB
    ASSERT_TRUE(small);
    EXPECT_EQ(small->body, files.at("cours/style.css"));
  }
  auto m = admin(edge.admin_port, "GET", "/metrics");
  ASSERT_TRUE(m);
  // The stylesheet: one fill from disk, then two memory hits; the PDF: three files.
  EXPECT_NE(m->body.find("relais_cache_hits_total{tier=\"memory\"} 2\n"), std::string::npos) << m->body;
  EXPECT_NE(m->body.find("relais_cache_hits_total{tier=\"disk\"} 4\n"), std::string::npos) << m->body;
}

TEST(EdgeAdmin, SigtermStopsCleanly) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir);
  RawClient idle(edge.port);  // an idle keep-alive connection must not hold the stop
  ASSERT_TRUE(idle.send("GET /empty.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(idle.read_response());
  edge.process->send_signal(SIGTERM);
  EXPECT_EQ(edge.process->wait_exit(std::chrono::seconds(10)), 0);
}

TEST(EdgeCli, BadOptionsExitTwoWithOneLineNamingTheOption) {
  struct Row {
    std::vector<std::string> args;
    const char* mentions;
  };
  std::vector<std::string> too_many_networks;
  for (std::size_t i = 0; i <= 254; ++i) {
    too_many_networks.push_back("--network-limit");
    too_many_networks.push_back("10.0.0.0/8=1:1:1");
  }
  const Row rows[] = {
      {{"--memory-cache", "lots"}, "--memory-cache"},
      {too_many_networks, "--network-limit"},
      {{"--listen", "nowhere"}, "--listen"},
      {{"--listen", "127.0.0.1:99999"}, "--listen"},
      {{"--header-timeout", "-3"}, "--header-timeout"},
      {{"--max-ranges", "0"}, "--max-ranges"},
      {{"--query-key", "lang=fr"}, "--query-key"},
      {{"--sendfile-min", "0"}, "--sendfile-min"},
      {{"--query-key", "lang", "--query-key", "lang"}, "--query-key"},
      {{"--cache-control-rule", "videos=no-cache"}, "--cache-control-rule"},
      {{"--frobnicate"}, "frobnicate"},
      {{"--config", "/nonexistent/relais.conf"}, "--config"},
  };
  for (const Row& row : rows) {
    std::vector<std::string> argv = {RELAIS_EDGE_BIN};
    argv.insert(argv.end(), row.args.begin(), row.args.end());
    ProcessResult r = run_process(argv, std::chrono::seconds(20));
    EXPECT_EQ(r.exit_code, 2) << row.mentions;
    EXPECT_NE(r.err.find(row.mentions), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  ProcessResult help = run_process({RELAIS_EDGE_BIN, "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--memory-cache"), std::string::npos);
  ProcessResult version = run_process({RELAIS_EDGE_BIN, "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("relais-edge ", 0), 0u);
}

TEST(EdgeCli, PortAlreadyServedByAnotherEdgeIsAnError) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge first = start_edge(dir);
  ASSERT_NE(first.port, 0);
  // SO_REUSEPORT alone would let the second edge silently take half the traffic.
  ProcessResult second = run_process({RELAIS_EDGE_BIN, "--listen", "127.0.0.1:" + std::to_string(first.port),
                                      "--admin-listen", "127.0.0.1:0", "--store", dir.file("out")},
                                     std::chrono::seconds(20));
  EXPECT_EQ(second.exit_code, 2);
  EXPECT_NE(second.err.find("--listen"), std::string::npos) << second.err;
}

TEST(EdgeCli, ExampleConfigFileLoads) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir, {"--config", std::string(RELAIS_SOURCE_DIR) + "/config/relais-edge.conf"});
  ASSERT_NE(edge.port, 0);
  EXPECT_EQ(http_get(edge.port, "/index.html")->status, 200);
}

}  // namespace
}  // namespace relais::testing
