// Binary upgrade (SIGUSR2): the new relais-edge inherits the listening
// sockets, the old one drains; clients hammering the edge with keep-alive
// and new-connection requests throughout see no failed request. And IPv6
// listeners (plain, TLS, admin) over ::1.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"

namespace relais::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Requests until told to stop: a keep-alive client (reconnects when the edge
// says Connection: close) or a new connection per request. A failure is any
// request that does not get a 200 with the whole body.
struct ClientLoop {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> sent{0}, failed{0};
  std::string first_failure;

  void run(std::uint16_t port, bool keep_alive, const std::string& body) {
    std::unique_ptr<RawClient> c;
    while (!stop.load()) {
      if (!c || !keep_alive) c = std::make_unique<RawClient>(port);
      ++sent;
      const bool ok_send = c->connected() && c->send("GET /cours/style.css HTTP/1.1\r\nHost: edge.test\r\n\r\n");
      auto r = ok_send ? c->read_response() : std::nullopt;
      if (!r || r->status != 200 || r->body != body) {
        if (failed++ == 0)
          first_failure = std::string(keep_alive ? "keep-alive" : "new connection") +
                          (!c->connected() ? ": connect failed" : !ok_send ? ": send failed" : !r ? ": no response" : ": status " + std::to_string(r->status)) +
                          " at request " + std::to_string(sent.load());
        c.reset();
        continue;
      }
      if (r->header("Connection") == "close") c.reset();
    }
  }
};

// Waits for a process that is not our child any more than by adoption
// (PR_SET_CHILD_SUBREAPER), with a deadline, and reaps it.
std::optional<int> wait_adopted(pid_t pid, std::chrono::seconds deadline) {
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return std::nullopt;
  pollfd p{pidfd, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(deadline).count()));
  ::close(pidfd);
  if (ready != 1) {
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return std::nullopt;
  if (ready != 1) return std::nullopt;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

class EdgeUpgrade : public ::testing::Test {
 protected:
  void SetUp() override {
    files_ = standard_tree();
    ASSERT_TRUE(publish_tree(dir_, files_));
    // The new binary is the old one's child; when the old exits it comes to us.
    ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  }
  void TearDown() override { ::prctl(PR_SET_CHILD_SUBREAPER, 0); }
  TempDir dir_;
  std::map<std::string, std::string> files_;
};

TEST_F(EdgeUpgrade, Sigusr2HandsTheSocketsOverAndNoRequestFails) {
  // One client address sends it all: the per-address rate limit is not what this tests.
  RunningEdge edge = start_edge(dir_, {"--workers", "2", "--address-rate", "0"});
  ASSERT_NE(edge.port, 0);
  const std::string body = files_["cours/style.css"];
  ClientLoop loop;
  std::vector<std::thread> clients;
  for (bool keep_alive : {true, true, false, false})
    clients.emplace_back([&, keep_alive] { loop.run(edge.port, keep_alive, body); });
  auto wait_sent = [&](std::uint64_t at_least) {
    for (const auto until = Clock::now() + std::chrono::seconds(60); Clock::now() < until;)
      if (loop.sent.load() >= at_least) return true;
    return false;
  };

  EXPECT_TRUE(wait_sent(200));
  edge.process->send_signal(SIGUSR2);
  auto started = edge.process->wait_for_line("upgrade: started pid ");
  ASSERT_TRUE(started) << edge.process->stderr_text();
  const pid_t new_pid = std::stoi(*started);
  EXPECT_TRUE(edge.process->wait_for_line("upgrade: took over from pid " + std::to_string(edge.process->pid())));
  // The old binary drains while the clients keep going, and exits cleanly.
  EXPECT_EQ(edge.process->wait_exit(std::chrono::seconds(60)), 0);
  const std::uint64_t at_exit = loop.sent.load();
  EXPECT_TRUE(wait_sent(at_exit + 400)) << "the new binary serves";
  loop.stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(loop.failed.load(), 0u) << "first failure: " << loop.first_failure << " of " << loop.sent.load();
  std::printf("upgrade under load: %llu requests, %llu failed\n", static_cast<unsigned long long>(loop.sent.load()),
              static_cast<unsigned long long>(loop.failed.load()));

  ASSERT_EQ(::kill(new_pid, SIGTERM), 0);
  EXPECT_EQ(wait_adopted(new_pid, std::chrono::seconds(60)), 0);
}

TEST_F(EdgeUpgrade, SighupUnderTheSameLoadFailsNoRequest) {
  dir_.write("edge.conf", "server-name = one\n");
  RunningEdge edge = start_edge(dir_, {"--workers", "2", "--address-rate", "0", "--config", dir_.file("edge.conf")});
  ASSERT_NE(edge.port, 0);
  ClientLoop loop;
  std::vector<std::thread> clients;
  for (bool keep_alive : {true, true, false, false})
    clients.emplace_back([&, keep_alive] { loop.run(edge.port, keep_alive, files_["cours/style.css"]); });
  auto wait_sent = [&](std::uint64_t at_least) {
    for (const auto until = Clock::now() + std::chrono::seconds(60); Clock::now() < until;)
      if (loop.sent.load() >= at_least) return true;
    return false;
  };
  for (int reload = 0; reload < 3; ++reload) {
    EXPECT_TRUE(wait_sent(loop.sent.load() + 200));
    dir_.write("edge.conf", "server-name = edge-" + std::to_string(reload) + "\nkeepalive-timeout = " +
                                std::to_string(30 + reload) + "s\n");
    edge.process->send_signal(SIGHUP);
    EXPECT_TRUE(edge.process->wait_for_line("configuration reloaded"));
  }
  EXPECT_TRUE(wait_sent(loop.sent.load() + 200));
  loop.stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(loop.failed.load(), 0u) << "first failure: " << loop.first_failure;
  std::printf("3 reloads under load: %llu requests, %llu failed\n", static_cast<unsigned long long>(loop.sent.load()),
              static_cast<unsigned long long>(loop.failed.load()));
}

TEST_F(EdgeUpgrade, NewBinaryThatFailsLeavesTheOldOneServing) {
  dir_.write("edge.conf", "server-name = old\n");
  RunningEdge edge = start_edge(dir_, {"--config", dir_.file("edge.conf")});
  ASSERT_NE(edge.port, 0);
  dir_.write("edge.conf", "server-name = old\nno-such-option = 1\n");  // the new binary will refuse it
  edge.process->send_signal(SIGUSR2);
  EXPECT_TRUE(edge.process->wait_for_stderr_text("upgrade failed: the new binary exited with status 2; still serving"));
  auto r = http_get(edge.port, "/cours/style.css");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Server"), "old");
}

bool ipv6_loopback_available() {
  const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

TEST(EdgeIpv6, PlainTlsAndAdminListenersServeOverLoopback) {
  if (!ipv6_loopback_available()) GTEST_SKIP() << "::1 is not available on this host";
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, {{"a.txt", "bonjour\n"}}));
  ASSERT_EQ(run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                         "-keyout", dir.file("c.key"), "-out", dir.file("c.pem"), "-days", "2", "-subj", "/CN=localhost"})
                .exit_code,
            0);
  Subprocess edge({RELAIS_EDGE_BIN, "--listen", "[::1]:0", "--tls-listen", "[::1]:0", "--admin-listen", "[::1]:0", "--store",
                   dir.file("out"), "--workers", "1", "--memory-cache", "16M", "--access-log", "off", "--tls-cert",
                   dir.file("c.pem"), "--tls-key", dir.file("c.key")});
  auto http = edge.wait_for_line("listening http [::1]:");
  auto https = edge.wait_for_line("listening https [::1]:");
  auto admin = edge.wait_for_line("listening admin [::1]:");
  ASSERT_TRUE(http && https && admin && edge.wait_for_line("ready")) << edge.stderr_text();
  auto curl = [](const std::string& url) {
    return run_process({"curl", "-sS", "-g", "-k", "--max-time", "20", url}, std::chrono::seconds(30));
  };
  ProcessResult plain = curl("http://[::1]:" + *http + "/a.txt");
  EXPECT_EQ(plain.out, "bonjour\n") << plain.err;
  ProcessResult tls = curl("https://[::1]:" + *https + "/a.txt");
  EXPECT_EQ(tls.out, "bonjour\n") << tls.err;
  ProcessResult health = curl("http://[::1]:" + *admin + "/healthz");
  EXPECT_EQ(health.out.rfind("ok", 0), 0u) << health.out << health.err;
}

}  // namespace
}  // namespace relais::testing
