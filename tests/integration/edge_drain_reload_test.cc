// Running an edge like nginx: SIGTERM drains (stops accepting, finishes the
// responses in flight within --drain-timeout, exits 0), SIGHUP re-reads the
// configuration and applies its live options without dropping a connection
// (a bad file is refused and the old configuration keeps serving).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <chrono>
#include <filesystem>
#include <optional>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"

namespace relais::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string get(std::string_view path) { return "GET " + std::string(path) + " HTTP/1.1\r\nHost: edge.test\r\n\r\n"; }

std::uint16_t local_port(int fd) {
  sockaddr_in a{};
  socklen_t length = sizeof a;
  return ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length) == 0 ? ntohs(a.sin_port) : 0;
}

// TCP_NODELAY and TCP_NOTSENT_LOWAT of the edge's end of the connection whose
// client end is `client`: the edge's socket, copied into this process with
// pidfd_getfd(2) (the test started the edge: it may). nullopt when not found.
struct EdgeSocketOptions {
  int nodelay = -1;
  int notsent_lowat = -1;
};
std::optional<EdgeSocketOptions> edge_socket_options(pid_t edge, int client) {
  const std::uint16_t port = local_port(client);
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, edge, 0));
  if (pidfd < 0 || port == 0) return std::nullopt;
  std::optional<EdgeSocketOptions> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(edge) + "/fd")) {
    const int theirs = std::stoi(entry.path().filename().string());
    const int fd = static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, theirs, 0));
    if (fd < 0) continue;
    sockaddr_in peer{};
    socklen_t length = sizeof peer;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) == 0 && peer.sin_family == AF_INET &&
        ntohs(peer.sin_port) == port) {
      EdgeSocketOptions o;
      socklen_t size = sizeof o.nodelay;
      (void)::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &o.nodelay, &size);
      size = sizeof o.notsent_lowat;
      (void)::getsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &o.notsent_lowat, &size);
      found = o;
    }
    ::close(fd);
    if (found) break;
  }
  ::close(pidfd);
  return found;
}

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

// The options of accepted sockets are set on the listeners, which the
// accepted sockets inherit (worker.cc): the edge's end of a new connection
// has TCP_NODELAY and the send-lowat in force, and a reload's new value
// reaches the connections accepted after it (0: the kernel default).
TEST_F(EdgeReload, NewConnectionsGetNoDelayAndTheSendLowatInForce) {
  auto fresh_options = [&](std::string_view server) -> std::optional<EdgeSocketOptions> {
    RawClient c(edge_.port);
    if (!c.send(get("/empty.txt"))) return std::nullopt;
    auto r = c.read_response();
    if (!r || r->header("Server") != server) return std::nullopt;
    return edge_socket_options(edge_.process->pid(), c.native_handle());
  };
  auto first = fresh_options("one");
  ASSERT_TRUE(first) << "the edge's socket was not found (pidfd_getfd refused?): " << std::strerror(errno);
  EXPECT_EQ(first->nodelay, 1);
  EXPECT_EQ(first->notsent_lowat, 1 << 20);  // the default, 1M

  struct Step {
    const char* server;
    const char* value;
    int want;
  };
  for (const Step& step : {Step{"two", "64K", 64 << 10}, Step{"three", "0", 0}}) {
    const auto& [server, value, want] = step;
    write_config(std::string("server-name = ") + server + "\nsend-lowat = " + value + "\n");
    edge_.process->send_signal(SIGHUP);
    // Each of the 2 workers applies it between two callbacks: a few fresh
    // connections (the kernel spreads them over both) until all agree.
    int agreeing = 0;
    for (const auto until = Clock::now() + std::chrono::seconds(20); agreeing < 8 && Clock::now() < until;) {
      auto o = fresh_options(server);
      agreeing = o && o->notsent_lowat == want && o->nodelay == 1 ? agreeing + 1 : 0;
    }
    EXPECT_EQ(agreeing, 8) << "send-lowat = " << value;
  }
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
