// Running an edge like nginx: SIGTERM drains (stops accepting, finishes the
// responses in flight within --drain-timeout, exits 0), SIGHUP re-reads the
// configuration and applies its live options without dropping a connection
// (a bad file is refused and the old configuration keeps serving).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"

namespace relais::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string get(std::string_view path) { return "GET " + std::string(path) + " HTTP/1.1\r\nHost: edge.test\r\n\r\n"; }

class EdgeDrainReload : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    ASSERT_TRUE(publish_tree(*dir_, standard_tree()));
  }
  static void TearDownTestSuite() { delete dir_; }
  static TempDir* dir_;
};
TempDir* EdgeDrainReload::dir_ = nullptr;

TEST_F(EdgeDrainReload, SigtermFinishesTheResponseInFlightRefusesNewConnectionsAndExits0) {
  RunningEdge edge = start_edge(*dir_);
  ASSERT_NE(edge.port, 0);
  RawClient idle(edge.port);
  ASSERT_TRUE(idle.send(get("/empty.txt")));
  ASSERT_TRUE(idle.read_response());
  // A 3 MiB download whose client reads nothing yet: in flight at SIGTERM.
  RawClient slow(edge.port, "127.0.0.1", 4096);
  ASSERT_TRUE(slow.send(get("/videos/big.bin")));
  edge.process->send_signal(SIGTERM);

  // Listeners go first: a new connection is refused while the download is still open.
  bool refused = false;
  for (const auto until = Clock::now() + std::chrono::seconds(20); !refused && Clock::now() < until;) {
    RawClient probe(edge.port);
    refused = !probe.connected();
  }
  EXPECT_TRUE(refused);
  EXPECT_TRUE(idle.wait_closed(std::chrono::seconds(20))) << "an idle keep-alive connection is closed by the drain";
  auto response = slow.read_response(false, std::chrono::seconds(60));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.size(), std::size_t{3} << 20);
  EXPECT_EQ(edge.process->wait_exit(std::chrono::seconds(30)), 0);
  EXPECT_NE(edge.process->stdout_text().find("stopped"), std::string::npos);
}

TEST_F(EdgeDrainReload, DrainTimeoutCutsAClientThatNeverReads) {
  // With the default 30 s the edge would still be waiting when wait_exit gives up.
  RunningEdge edge = start_edge(*dir_, {"--drain-timeout", "1s"});
  RawClient stuck(edge.port, "127.0.0.1", 4096);
  ASSERT_TRUE(stuck.send(get("/videos/big.bin")));
  edge.process->send_signal(SIGTERM);
  EXPECT_EQ(edge.process->wait_exit(std::chrono::seconds(20)), 0);
}

class EdgeReload : public EdgeDrainReload {
 protected:
  void SetUp() override {
    write_config("server-name = one\ncache-control-rule = /videos/=public, max-age=5\naccess-log = " +
                 dir_->file("one.log") + "\n");
    // Not start_edge: its --access-log flag would hide the file's key.
    edge_.process = std::make_unique<Subprocess>(std::vector<std::string>{
        RELAIS_EDGE_BIN, "--config", conf_, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--store",
        dir_->file("out"), "--workers", "2", "--memory-cache", "64M"});
    auto http = edge_.process->wait_for_line("listening http 127.0.0.1:");
    ASSERT_TRUE(http && edge_.process->wait_for_line("ready")) << edge_.process->stderr_text();
    edge_.port = static_cast<std::uint16_t>(std::stoi(*http));
  }
  void write_config(const std::string& text) {
    dir_->write("edge.conf.tmp", text);
    std::filesystem::rename(dir_->file("edge.conf.tmp"), conf_);
  }
  // The value of `header` for `path`, on connection c, once it equals want (the
  // workers swap their settings between two callbacks, after the reload line).
  static bool eventually(RawClient& c, std::string_view path, std::string_view header, std::string_view want) {
    for (const auto until = Clock::now() + std::chrono::seconds(20); Clock::now() < until;) {
      if (!c.send(get(path))) return false;
      auto r = c.read_response();
      if (!r || r->status != 200) return false;  // the connection must survive the reload
      if (r->header(header) == want) return true;
    }
    return false;
  }
  std::string conf_ = dir_->file("edge.conf");
  RunningEdge edge_;
};

TEST_F(EdgeReload, SighupAppliesLiveOptionsWithoutDroppingTheConnection) {
  RawClient c(edge_.port);
  ASSERT_TRUE(eventually(c, "/videos/big.bin", "Server", "one"));
  write_config("server-name = two\ncache-control-rule = /videos/=public, max-age=7\naccess-log = " +
               dir_->file("two.log") + "\naccess-log-format = json\n");
  edge_.process->send_signal(SIGHUP);
  ASSERT_TRUE(edge_.process->wait_for_line("configuration reloaded"));
  EXPECT_TRUE(eventually(c, "/videos/big.bin", "Server", "two"));
  EXPECT_TRUE(eventually(c, "/videos/big.bin", "Cache-Control", "public, max-age=7"));
  bool logged = false;  // the log moved to the new file (flushed about once a second)
  for (const auto until = Clock::now() + std::chrono::seconds(20); !logged && Clock::now() < until;) {
    ASSERT_TRUE(eventually(c, "/empty.txt", "Server", "two"));
    // In the new format too (a line queued before the swap may still be combined).
    logged = std::filesystem::exists(dir_->file("two.log")) &&
             read_file(dir_->file("two.log")).find("\"target\":\"/empty.txt\"") != std::string::npos;
  }
  EXPECT_TRUE(logged);
}

TEST_F(EdgeReload, BadNewConfigurationIsRefusedAndTheOldOneKeepsServing) {
  RawClient c(edge_.port);
  ASSERT_TRUE(eventually(c, "/empty.txt", "Server", "one"));
  write_config("server-name = two\nkeepalive-timeout = forever\n");
  edge_.process->send_signal(SIGHUP);
  EXPECT_TRUE(edge_.process->wait_for_stderr_text("configuration reload refused, keeping the one in service: --keepalive-timeout"));
  ASSERT_TRUE(c.send(get("/empty.txt")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("Server"), "one");
}

TEST_F(EdgeReload, RestartOnlyOptionIsNamedAndTheRestApplies) {
  RawClient c(edge_.port);
  write_config("server-name = three\naddress-slots = 1024\naccess-log = " + dir_->file("one.log") + "\n");
  edge_.process->send_signal(SIGHUP);
  EXPECT_TRUE(edge_.process->wait_for_stderr_text("reload: --address-slots changed, applies after a restart or an upgrade"));
  EXPECT_TRUE(eventually(c, "/empty.txt", "Server", "three"));
  EXPECT_EQ(edge_.process->stderr_text().find("--server-name changed"), std::string::npos);
}

}  // namespace
}  // namespace relais::testing
