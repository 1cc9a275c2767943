// Publication keys per site (site.NAME.trusted-key, hostile review): a site
// that lists its own keys accepts only those, so publisher A's key (trusted
// globally, for A's site) cannot sign a publication for site B's store; a
// site without its own keys inherits the global ones.
#include <gtest/gtest.h>

#include <poll.h>

#include <filesystem>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"

namespace relais::testing {
namespace {

std::string page(const std::string& site, int n) {
  return "<!doctype html><p>Site " + site + ", version " + std::to_string(n) + "</p>\n";
}

class EdgeSitesTrust : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string k : {"ka", "kb"}) {
      ProcessResult r = run_process({RELAIS_SYNC_BIN, "keygen", dir.file(k + ".key"), dir.file(k + ".pub")});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }

  // dir/NAME-src -> dir/NAME-origin, signed with dir/KEY.key.
  void publish(const std::string& name, const std::string& body, const std::string& key) {
    dir.write(name + "-src/index.html", body);
    ProcessResult r = run_process({RELAIS_SYNC_BIN, "publish", dir.file(name + "-src"), dir.file(name + "-origin"),
                                   "--quiet", "--sign-key", dir.file(key + ".key")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // Site a inherits the global key ka; site b lists its own key kb. Both
  // sync from their own origin directory every 100 ms.
  RunningEdge start() {
    for (const std::string s : {"a", "b"}) std::filesystem::create_directories(dir.file(s + "-store"));
    std::string text = "listen = 127.0.0.1:0\nadmin-listen = 127.0.0.1:0\nworkers = 1\nmemory-cache = 8M\n"
                       "access-log = off\nsync-retries = 0\ntrusted-key = " + dir.file("ka.pub") + "\n";
    for (const std::string s : {"a", "b"})
      text += "[site." + s + "]\nhosts = " + s + ".test\nstore = " + dir.file(s + "-store") + "\norigin = " +
              dir.file(s + "-origin") + "\nsync-interval = 100ms\n";
    text += "trusted-key = " + dir.file("kb.pub") + "\n";  // site b's own
    dir.write("edge.conf", text);
    return run_edge({RELAIS_EDGE_BIN, "--config", dir.file("edge.conf")});
  }

  std::string body(std::uint16_t port, const std::string& host) {
    RawClient client(port);
    client.send("GET /index.html HTTP/1.1\r\nHost: " + host + "\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n");
    auto r = client.read_response();
    return r && r->status == 200 ? r->body : "<" + std::to_string(r ? r->status : -1) + ">";
  }

  // Waits until stdout contains `needle` (wait_for_line consumes lines in
  // order; the two sites' lines come in either order).
  static bool wait_stdout(RunningEdge& edge, const std::string& needle) {
    for (const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
         std::chrono::steady_clock::now() < until; ::poll(nullptr, 0, 20))
      if (edge.process->stdout_text().find(needle) != std::string::npos) return true;
    return false;
  }

  TempDir dir;
};

TEST_F(EdgeSitesTrust, ASiteWithItsOwnKeyRefusesAPublicationSignedByAnotherSitesKey) {
  publish("a", page("a", 1), "ka");
  publish("b", page("b", 1), "kb");
  RunningEdge edge = start();
  ASSERT_NE(edge.port, 0);
  ASSERT_TRUE(wait_stdout(edge, "site a: catalog generation 1")) << edge.process->stderr_text();
  ASSERT_TRUE(wait_stdout(edge, "site b: catalog generation 1")) << edge.process->stderr_text();
  EXPECT_EQ(edge.process->stderr_text().find("warning: no trusted-key"), std::string::npos) << edge.process->stderr_text();
  // Publisher a signs a publication for site b's origin: ka is trusted on
  // this edge (globally, for a), but b trusts only kb.
  publish("b", page("b", 2), "ka");
  ASSERT_TRUE(edge.process->wait_for_stderr_text("which is not trusted")) << edge.process->stderr_text();
  // The sync loop's line names the site (hostile review: with many sites an
  // origin path alone does not say whose publication was refused).
  EXPECT_NE(edge.process->stderr_text().find("relais-edge: site=b sync from " + dir.file("b-origin") + " failed (untrusted)"),
            std::string::npos)
      << edge.process->stderr_text();
  EXPECT_EQ(body(edge.port, "b.test"), page("b", 1)) << "b keeps serving its old catalog";
  // Site a, which inherits ka, takes a's next publication.
  publish("a", page("a", 2), "ka");
  ASSERT_TRUE(wait_stdout(edge, "site a: catalog generation 2")) << edge.process->stderr_text();
  EXPECT_EQ(body(edge.port, "a.test"), page("a", 2));
  EXPECT_EQ(body(edge.port, "b.test"), page("b", 1));
  EXPECT_EQ(edge.process->stdout_text().find("site b: catalog generation 2"), std::string::npos);
}

TEST_F(EdgeSitesTrust, ASiteWithoutItsOwnKeysInheritsTheGlobalOnesAndCheckConfigShowsEach) {
  publish("a", page("a", 1), "kb");  // a trusts only the global ka
  publish("b", page("b", 1), "kb");
  RunningEdge edge = start();
  ASSERT_NE(edge.port, 0);
  ASSERT_TRUE(wait_stdout(edge, "site b: catalog generation 1")) << edge.process->stderr_text();
  ASSERT_TRUE(edge.process->wait_for_stderr_text("which is not trusted")) << edge.process->stderr_text();
  EXPECT_EQ(body(edge.port, "a.test"), "<503>") << "a has no catalog signed by a key it trusts";
  ProcessResult check = run_process({RELAIS_EDGE_BIN, "--config", dir.file("edge.conf"), "--check-config"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_NE(check.out.find("site.a.trusted-key = " + dir.file("ka.pub") + "\n"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("site.b.trusted-key = " + dir.file("kb.pub") + "\n"), std::string::npos) << check.out;
  EXPECT_EQ(check.out.find("site.b.trusted-key = " + dir.file("ka.pub")), std::string::npos) << check.out;
  // A site's key file that does not load: exit 2 naming the site's option.
  dir.write("edge.conf", read_file(dir.file("edge.conf")) + "trusted-key = " + dir.file("missing.pub") + "\n");
  for (bool only_check : {false, true}) {
    std::vector<std::string> argv = {RELAIS_EDGE_BIN, "--config", dir.file("edge.conf")};
    if (only_check) argv.push_back("--check-config");
    ProcessResult bad = run_process(argv, std::chrono::seconds(30));
    EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;
    EXPECT_NE(bad.err.find("--site.b.trusted-key"), std::string::npos) << bad.err;
  }
}

}  // namespace
}  // namespace relais::testing
