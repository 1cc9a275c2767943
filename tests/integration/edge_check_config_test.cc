// relais-edge --check-config: every error found is one stderr line naming
// its option (exit 2), a good configuration prints the effective settings
// and "configuration OK" (exit 0). One row per mistake an operator makes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "tests/integration/harness/harness.h"

namespace relais::testing {
namespace {

class CheckConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    dir.write("store/keep", "");
    dir.write("a-file", "not a directory\n");
    const ProcessResult a = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                         "-nodes", "-keyout", dir.file("a.key"), "-out", dir.file("a.pem"), "-days", "2",
                                         "-subj", "/CN=localhost"});
    const ProcessResult b = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                         "-nodes", "-keyout", dir.file("b.key"), "-out", dir.file("b.pem"), "-days", "2",
                                         "-subj", "/CN=localhost"});
    ASSERT_EQ(a.exit_code, 0) << a.err;
    ASSERT_EQ(b.exit_code, 0) << b.err;
  }

  ProcessResult check(const std::vector<std::string>& flags) {
    std::vector<std::string> argv = {RELAIS_EDGE_BIN, "--check-config"};
    for (const auto& [flag, value] : {std::pair<std::string, std::string>{"--store", dir.file("store")},
                                      {"--listen", "127.0.0.1:0"}, {"--admin-listen", "127.0.0.1:0"}}) {
      if (std::find(flags.begin(), flags.end(), flag) != flags.end()) continue;  // the row's own wins
      argv.push_back(flag);
      argv.push_back(value);
    }
    argv.insert(argv.end(), flags.begin(), flags.end());
    return run_process(argv, std::chrono::seconds(30));
  }

  TempDir dir;
};

TEST_F(CheckConfig, GoodConfigurationPrintsTheEffectiveSettingsAndExits0) {
  dir.write("edge.conf", "server-name = cdn-test\nkeepalive-timeout = 90s\nmemory-cache = 64M\n");
  ProcessResult r = check({"--config", dir.file("edge.conf"), "--tls-listen", "[::1]:0", "--tls-cert", dir.file("a.pem"),
                           "--tls-key", dir.file("a.key")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  for (const char* line : {"listen = 127.0.0.1:0\n", "server-name = cdn-test\n", "keepalive-timeout = 90s\n",
                           "memory-cache = 64M\n", "drain-timeout = 30s\n", "tls-listen = [::1]:0\n",
                           "relais-edge: configuration OK\n"})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << " missing from:\n" << r.out;
}

TEST_F(CheckConfig, EachMistakeIsExit2WithOneLineNamingTheOption) {
  struct Row {
    std::vector<std::string> flags;
    std::string says;
  };
  const Row rows[] = {
      {{"--listen", "127.0.0.1:18081", "--admin-listen", "127.0.0.1:18081"}, "--admin-listen 127.0.0.1:18081: the same address"},
      {{"--listen", "0.0.0.0:18082", "--tls-listen", "127.0.0.1:18082", "--tls-cert", dir.file("a.pem"), "--tls-key",
        dir.file("a.key")},
       "--tls-listen 127.0.0.1:18082: the same address and port as --listen 0.0.0.0:18082"},
      {{"--store", dir.file("a-file")}, "--store: '" + dir.file("a-file") + "' is not a directory"},
      {{"--origin", dir.file("no-such-origin")}, "--origin: '" + dir.file("no-such-origin") + "'"},
      {{"--access-log", dir.file("store")}, "--access-log: '" + dir.file("store") + "' is not a regular file"},
      {{"--access-log", dir.file("no/such/dir/access.log")}, "--access-log: cannot create"},
      {{"--tls-cert", dir.file("a.pem")}, "--tls-cert: needs --tls-listen"},
      {{"--tls-sni-cert", "x.test=" + dir.file("a.pem") + ":" + dir.file("a.key")}, "--tls-sni-cert: needs --tls-listen"},
      {{"--tls-listen", "127.0.0.1:0", "--tls-cert", dir.file("a.pem"), "--tls-key", dir.file("b.key")}, "does not match"},
      {{"--listen", "[::1:80"}, "--listen '[::1:80': expected [IPv6]:PORT"},
      {{"--network-limit", "10.0.0.0/33=1:1:1"}, "--network-limit"},
  };
  for (const Row& row : rows) {
    ProcessResult r = check(row.flags);
    EXPECT_EQ(r.exit_code, 2) << row.says << "\n" << r.out;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(row.says), std::string::npos) << "expected: " << row.says << "\ngot: " << r.err;
  }
}

TEST_F(CheckConfig, SeveralMistakesAreOneLineEach) {
  ProcessResult r = check({"--store", dir.file("a-file"), "--listen", "127.0.0.1:18083", "--admin-listen", "127.0.0.1:18083",
                           "--access-log", dir.file("store")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 3) << r.err;
  for (const char* option : {"--store", "--admin-listen", "--access-log"})
    EXPECT_NE(r.err.find(std::string("relais-edge: ") + option), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("configuration OK"), std::string::npos);
}

TEST_F(CheckConfig, StoreThatDoesNotExistYetIsFineWhenItCanBeCreated) {
  ProcessResult r = check({"--store", dir.file("new/store")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// relais-sync SUBCOMMAND --check-config: the same contract for the
// directories each subcommand reads or writes; nothing is published or pulled.
TEST_F(CheckConfig, SyncChecksTheDirectoriesOfItsSubcommand) {
  auto sync = [](std::vector<std::string> args) {
    args.insert(args.begin(), RELAIS_SYNC_BIN);
    args.push_back("--check-config");
    return run_process(args, std::chrono::seconds(30));
  };
  ProcessResult publish = sync({"publish", dir.file("no-such-src"), dir.file("a-file")});
  EXPECT_EQ(publish.exit_code, 2);
  EXPECT_EQ(std::count(publish.err.begin(), publish.err.end(), '\n'), 2) << publish.err;
  EXPECT_NE(publish.err.find("relais-sync: --source: '" + dir.file("no-such-src") + "'"), std::string::npos) << publish.err;
  EXPECT_NE(publish.err.find("--out: '" + dir.file("a-file") + "' is not a directory"), std::string::npos) << publish.err;

  ProcessResult pull = sync({"pull", "--origin", dir.file("no-such-origin"), "--store", dir.file("new/store")});
  EXPECT_EQ(pull.exit_code, 2);
  EXPECT_EQ(std::count(pull.err.begin(), pull.err.end(), '\n'), 1) << pull.err;
  EXPECT_NE(pull.err.find("--origin: '" + dir.file("no-such-origin") + "'"), std::string::npos) << pull.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("new"))) << "a check creates nothing";

  ProcessResult verify = sync({"verify", "--store", dir.file("store"), "--jobs", "3"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_NE(verify.out.find("store = " + dir.file("store") + "\n"), std::string::npos) << verify.out;
  EXPECT_NE(verify.out.find("jobs = 3\n"), std::string::npos) << verify.out;
  EXPECT_NE(verify.out.find("relais-sync: configuration OK"), std::string::npos) << verify.out;
}

}  // namespace
}  // namespace relais::testing
