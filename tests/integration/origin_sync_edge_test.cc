// relais-edge --origin: background sync, atomic catalog swaps under load,
// serving through an origin outage, and a real nginx as the origin.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/origin_sync_support.h"

namespace relais::testing {
namespace {

struct Edge {
  std::unique_ptr<Subprocess> process;
  std::uint16_t port = 0, admin_port = 0;
};

Edge start_syncing_edge(const std::string& store, const std::string& origin, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {RELAIS_EDGE_BIN, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                                   "--store", store, "--origin", origin, "--sync-interval", "200ms",
                                   "--origin-timeout", "1s", "--sync-retries", "1",
                                   "--workers", "2", "--memory-cache", "16M", "--access-log", "off"};
  if (std::find(extra.begin(), extra.end(), "--origin-stall-timeout") == extra.end())
    extra.insert(extra.end(), {"--origin-stall-timeout", "1s"});
  argv.insert(argv.end(), extra.begin(), extra.end());
  Edge e;
  e.process = std::make_unique<Subprocess>(argv);
  auto http = e.process->wait_for_line("listening http 127.0.0.1:");
  auto admin = e.process->wait_for_line("listening admin 127.0.0.1:");
  EXPECT_TRUE(http && admin) << e.process->stderr_text();
  if (http) e.port = static_cast<std::uint16_t>(std::stoi(*http));
  if (admin) e.admin_port = static_cast<std::uint16_t>(std::stoi(*admin));
  return e;
}

std::string metrics(const Edge& e) {
  auto r = http_get(e.admin_port, "/metrics");
  return r ? r->body : "";
}

class EdgeSync : public ::testing::Test {
 protected:
  void publish(const std::string& page) {
    dir.write("src/page.html", page);
    dir.write("src/autre.txt", "fixe\n");
    ProcessResult r = relais_sync({"publish", dir.file("src"), out, "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static std::string version(int n) {
    std::string s = "<!doctype html><title>v" + std::to_string(n) + "</title>";
    for (int i = 0; i < 200; ++i) s += "<p>Version " + std::to_string(n) + ", ligne " + std::to_string(i) + "</p>\n";
    return s;
  }

  TempDir dir;
  std::string out = dir.file("out");
  std::string store = dir.file("store");
};

TEST_F(EdgeSync, PicksUpANewPublishWithinTheSyncInterval) {
  publish(version(1));
  TestOrigin origin(out);
  Edge edge = start_syncing_edge(store, origin.url());
  ASSERT_TRUE(edge.process->wait_for_line("catalog generation 1")) << edge.process->stderr_text();
  auto r = http_get(edge.port, "/page.html");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, version(1));
  publish(version(2));
  ASSERT_TRUE(edge.process->wait_for_line("catalog generation 2")) << edge.process->stderr_text();
  r = http_get(edge.port, "/page.html");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, version(2));
  EXPECT_TRUE(origin.wait_for([&] { return origin.not_modified_sent() > 0; }));  // later syncs are 304s
  const std::string m = metrics(edge);
  EXPECT_NE(m.find("relais_sync_last_ok{site=\"default\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("relais_sync_blobs_total{site=\"default\",outcome=\"verified\"}"), std::string::npos) << m;
}

TEST_F(EdgeSync, KeepsServingItsLastCatalogWhileTheOriginIsDown) {
  publish(version(1));
  auto origin = std::make_unique<TestOrigin>(out);
  Edge edge = start_syncing_edge(store, origin->url());
  ASSERT_TRUE(edge.process->wait_for_line("catalog generation 1"));
  origin->stop();
  // The sync loop records a failure in the metrics, then logs it.
  ASSERT_TRUE(edge.process->wait_for_stderr_text("failed (manifest_fetch)")) << edge.process->stderr_text();
  const std::string m = metrics(edge);
  EXPECT_EQ(m.find("relais_sync_failures_total{site=\"default\",reason=\"manifest_fetch\"} 0"), std::string::npos) << m;
  EXPECT_NE(m.find("relais_sync_failures_total{site=\"default\",reason=\"manifest_fetch\"}"), std::string::npos) << m;
  for (int i = 0; i < 20; ++i) {
    auto r = http_get(edge.port, "/page.html");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    ASSERT_EQ(r->body, version(1));
  }
  EXPECT_NE(metrics(edge).find("relais_sync_last_ok{site=\"default\"} 0"), std::string::npos);
  auto health = http_get(edge.admin_port, "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(EdgeSync, ServesTheOnDiskCatalogBeforeTheFirstSyncCompletes) {
  publish(version(1));
  TestOrigin origin(out);
  ASSERT_EQ(pull_from(origin.url(), store).exit_code, 0);
  std::filesystem::remove(store + "/.origin-etag");  // so the manifest request is a full GET, not a 304
  origin.stall_next(1);  // the edge's first manifest request hangs
  Edge edge = start_syncing_edge(store, origin.url(), {"--origin-stall-timeout", "30s"});
  ASSERT_TRUE(edge.process->wait_for_line("ready")) << edge.process->stdout_text() << edge.process->stderr_text();
  ASSERT_TRUE(origin.wait_for([&] { return origin.stalled_now() > 0; }));
  auto r = http_get(edge.port, "/page.html");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, version(1));
}

TEST_F(EdgeSync, CatalogSwapsUnderLoadFailNoRequest) {
  publish(version(1));
  TestOrigin origin(out);
  // One client address as fast as it can go: the per-address limits, a
  // defence tested elsewhere, would answer 429 here and hide what is tested.
  Edge edge = start_syncing_edge(store, origin.url(), {"--address-rate", "0", "--address-connections", "0"});
  ASSERT_TRUE(edge.process->wait_for_line("catalog generation 1"));
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::string> bad;
  std::thread hammer([&] {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (int i = 0; i < 50'000 && !stop.load() && std::chrono::steady_clock::now() < until; ++i) {
      auto r = http_get(edge.port, "/page.html");
      bool good = r && r->status == 200;
      if (good) {
        good = false;
        for (int v = 1; v <= 4; ++v) good = good || r->body == version(v);
      }
      if (good) ++ok; else { ++failed; if (bad.size() < 3) bad.push_back(r ? std::to_string(r->status) : "no response"); }
    }
  });
  for (int v = 2; v <= 4; ++v) {
    publish(version(v));
    EXPECT_TRUE(edge.process->wait_for_line("catalog generation " + std::to_string(v)));
  }
  stop = true;
  hammer.join();
  EXPECT_EQ(failed.load(), 0) << (bad.empty() ? "" : bad.front());
  EXPECT_GT(ok.load(), 0);
  auto r = http_get(edge.port, "/page.html");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, version(4));
}

// A free loopback port (the kernel's choice; nginx needs a number in its config).
std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

TEST(NginxOrigin, PullsFromNginxThenGets304) {
  const char* nginx = "/usr/sbin/nginx";
  if (::access(nginx, X_OK) != 0) GTEST_SKIP() << "nginx is not installed";
  TempDir dir;
  dir.write("src/index.html", "<!doctype html><p>Bonjour</p>\n" + std::string(3000, 'x'));
  dir.write("src/data.bin", std::string(200000, 'd'));
  ASSERT_EQ(relais_sync({"publish", dir.file("src"), dir.file("out"), "--quiet"}).exit_code, 0);
  const std::uint16_t port = free_port();
  dir.write("nginx/logs/.keep", "");
  std::string conf = "daemon off;\nworker_processes 1;\npid " + dir.file("nginx/nginx.pid") +
                     // notice level on stderr: "start worker processes" comes after the listeners are bound.
                     ";\nerror_log stderr notice;\n" + (::geteuid() == 0 ? "user root;\n" : "") +
                     "events { worker_connections 64; }\nhttp {\n access_log off;\n"
                     " client_body_temp_path " + dir.file("nginx/tmp") + ";\n proxy_temp_path " + dir.file("nginx/tmp") +
                     ";\n fastcgi_temp_path " + dir.file("nginx/tmp") + ";\n uwsgi_temp_path " + dir.file("nginx/tmp") +
                     ";\n scgi_temp_path " + dir.file("nginx/tmp") + ";\n"
                     " server { listen 127.0.0.1:" + std::to_string(port) + "; root " + dir.file("out") + "; }\n}\n";
  dir.write("nginx/nginx.conf", conf);
  Subprocess server({nginx, "-p", dir.file("nginx"), "-c", dir.file("nginx/nginx.conf")});
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  ASSERT_TRUE(server.wait_for_stderr_text("start worker process", std::chrono::seconds(20))) << server.stderr_text();
  const std::string store = dir.file("store");
  ProcessResult r = pull_from(url, store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(relais_sync({"verify", "--store", store}).exit_code, 0);
  r = pull_from(url, store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("not modified (304)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace relais::testing
