// A republish that restarts at generation 1 (a publish into a fresh output
// directory, as a CI job from a clean checkout does) is a new catalog: the
// edge serves it after a SIGHUP and through its own sync, and no garbage
// collection takes a blob from under the catalog in service (issue 21, item 2).
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/origin_sync_support.h"

namespace relais::testing {
namespace {

class Republish : public ::testing::Test {
 protected:
  // Publishes page.html with `page` (plus the files in `extra`) into a fresh dir/NAME.
  std::string publish_fresh(const std::string& name, const std::string& page,
                            const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    const std::string src = dir.file(name + "-src");
    std::filesystem::remove_all(src);
    dir.write(name + "-src/page.html", page);
    dir.write(name + "-src/fixe.txt", "fixe\n");
    for (const auto& [path, bytes] : extra) dir.write(name + "-src/" + path, bytes);
    const std::string out = dir.file(name);
    std::filesystem::remove_all(out);
    ProcessResult r = relais_sync({"publish", src, out, "--quiet"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_published_manifest(out).generation, 1u);  // a fresh output restarts at 1
    return out;
  }
  static std::string page(int n) {
    std::string s = "<!doctype html><title>v" + std::to_string(n) + "</title>";
    for (int i = 0; i < 100; ++i) s += "<p>Version " + std::to_string(n) + ", ligne " + std::to_string(i) + "</p>\n";
    return s;
  }
  std::unique_ptr<Subprocess> start_edge(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {RELAIS_EDGE_BIN, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                                     "--store", store, "--workers", "2", "--memory-cache", "16M", "--access-log", "off"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto p = std::make_unique<Subprocess>(argv);
    auto http = p->wait_for_line("listening http 127.0.0.1:");
    EXPECT_TRUE(http) << p->stderr_text();
    if (http) port = static_cast<std::uint16_t>(std::stoi(*http));
    return p;
  }
  int status_of(const std::string& path) {
    auto r = http_get(port, path);
    return r ? r->status : -1;
  }
  std::string body_of(const std::string& path) {
    auto r = http_get(port, path);
    return r && r->status == 200 ? r->body : "<" + std::to_string(r ? r->status : -1) + ">";
  }
  // Every path of the manifest in `out` answers 200 with its identity's bytes.
  void expect_all_served(const std::string& out) {
    const Manifest m = read_published_manifest(out);
    for (const ManifestEntry& e : m.entries) {
      auto r = http_get(port, "/" + e.path, {"Accept-Encoding: identity"});
      ASSERT_TRUE(r) << e.path;
      EXPECT_EQ(r->status, 200) << e.path;
      EXPECT_EQ(r->body, read_file(blob_path(out, e.identity().hash))) << e.path;
    }
  }

  TempDir dir;
  std::string store = dir.file("store");
  std::uint16_t port = 0;
};

TEST_F(Republish, SameGenerationWithOtherBytesIsServedAfterSighupAndGcSparesTheCatalogInService) {
  const std::string a = publish_fresh("a", page(1), {{"ancien.txt", "seulement dans la version 1\n"}});
  ASSERT_EQ(pull_from(a, store).exit_code, 0);
  auto edge = start_edge();
  ASSERT_TRUE(edge->wait_for_line("catalog generation 1")) << edge->stderr_text();
  ASSERT_EQ(body_of("/page.html"), page(1));

  const std::string b = publish_fresh("b", page(2));
  // Pulled with no grace at all: the blobs only the catalog in service needs
  // (ancien.txt, never requested yet, so in no memory tier) must stay.
  ProcessResult pulled = pull_from(b, store, {"--gc-grace", "0s"});
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err;
  EXPECT_EQ(status_of("/ancien.txt"), 200);
  EXPECT_EQ(body_of("/page.html"), page(1));

  edge->send_signal(SIGHUP);
  ASSERT_TRUE(edge->wait_for_line("catalog generation 1")) << edge->stderr_text();
  EXPECT_EQ(body_of("/page.html"), page(2));
  EXPECT_EQ(status_of("/ancien.txt"), 404);

  // The edge let go of version 1: now its blobs go, and nothing served 503s.
  pulled = pull_from(b, store, {"--gc-grace", "0s"});
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err;
  EXPECT_EQ(stored_blobs(store), blob_hashes(read_published_manifest(b)));
  expect_all_served(b);
}

TEST_F(Republish, TheEmbeddedSyncPicksUpAFreshPublishWithTheSameGeneration) {
  const std::string origin = dir.file("origin");
  std::filesystem::create_directories(origin);
  const std::string a = publish_fresh("a", page(1));
  std::filesystem::rename(a, origin + "/live");
  auto edge = start_edge({"--origin", origin + "/live", "--sync-interval", "200ms", "--gc-grace", "0s"});
  ASSERT_TRUE(edge->wait_for_line("catalog generation 1")) << edge->stderr_text();
  ASSERT_EQ(body_of("/page.html"), page(1));

  // The origin directory is replaced by a fresh publish, generation 1 again.
  const std::string b = publish_fresh("b", page(2));
  std::filesystem::rename(origin + "/live", origin + "/old");
  std::filesystem::rename(b, origin + "/live");
  ASSERT_TRUE(edge->wait_for_line("catalog generation 1")) << edge->stderr_text();
  EXPECT_EQ(body_of("/page.html"), page(2));
  expect_all_served(origin + "/live");
}

}  // namespace
}  // namespace relais::testing
