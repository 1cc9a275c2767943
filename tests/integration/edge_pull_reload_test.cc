// SIGHUP on a pulling edge (docs/PULL_THROUGH.md, "Reload"): a changed
// origin-url is named as waiting for a restart, also in the stdout line that
// says the configuration was reloaded, and the first origin keeps serving; a
// pull-only site, which has no manifest, reloads without a failure line.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_pull_fixture.h"

namespace relais::testing {
namespace {

TEST(EdgePullReload, AChangedOriginUrlWaitsForARestartAndAPullSiteReloadsQuietly) {
  ScriptedOrigin first([](const ReceivedRequest&) { return cacheable("first", "no-store"); });
  ScriptedOrigin second([](const ReceivedRequest&) { return cacheable("second", "no-store"); });
  TempDir dir;
  dir.write("out/.keep", "");
  const std::string conf = dir.file("edge.conf");
  dir.write("edge.conf", "mode = pull\norigin-url = " + first.base_url() + "\n");
  Subprocess edge({RELAIS_EDGE_BIN, "--config", conf, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                   "--store", dir.file("out"), "--workers", "1", "--address-rate", "0"});
  auto http = edge.wait_for_line("listening http 127.0.0.1:");
  ASSERT_TRUE(http && edge.wait_for_line("ready")) << edge.stderr_text();
  const auto port = static_cast<std::uint16_t>(std::stoi(*http));

  dir.write("edge.conf.tmp", "mode = pull\norigin-url = " + second.base_url() + "\n");
  std::filesystem::rename(dir.file("edge.conf.tmp"), conf);
  edge.send_signal(SIGHUP);
  auto reloaded = edge.wait_for_line("configuration reloaded");
  ASSERT_TRUE(reloaded) << edge.stderr_text();
  EXPECT_EQ(*reloaded, ", except what needs a restart: --origin-url");
  EXPECT_TRUE(edge.wait_for_stderr_text("reload: --origin-url changed, applies after a restart or an upgrade (SIGUSR2): "
                                        "pull-through still uses the origins and mode it started with"));
  // A second reload: the first one's site reloads (after its line) are done.
  edge.send_signal(SIGHUP);
  ASSERT_TRUE(edge.wait_for_line("configuration reloaded"));
  EXPECT_EQ(edge.stderr_text().find("reload failed"), std::string::npos) << edge.stderr_text();

  auto r = http_get(port, "/page.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "first");
  EXPECT_EQ(second.requests(), 0);
}

}  // namespace
}  // namespace relais::testing
