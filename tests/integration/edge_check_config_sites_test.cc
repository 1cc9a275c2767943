// relais-edge --check-config with [site.*] sections (hostile review): a
// warning for each site host name its certificate does not cover (exit code
// unchanged), and the fixed bounds on sites (1024) and host names (65536 in
// all), beyond which it is exit 2 with one line, as at start-up.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "tests/integration/harness/harness.h"
#include "tests/integration/harness/test_pki.h"

namespace relais::testing {
namespace {

class CheckConfigSites : public ::testing::Test {
 protected:
  ProcessResult check(const std::string& text, bool only_check = true) {
    dir.write("edge.conf", "listen = 127.0.0.1:0\nadmin-listen = 127.0.0.1:0\n" + text);
    std::vector<std::string> argv = {RELAIS_EDGE_BIN, "--config", dir.file("edge.conf")};
    if (only_check) argv.push_back("--check-config");
    return run_process(argv, std::chrono::seconds(120));
  }
  // [site.NAME] with its own (new) store and `hosts`.
  std::string section(const std::string& name, const std::string& hosts) {
    std::filesystem::create_directories(dir.file("stores/" + name));
    return "[site." + name + "]\nhosts = " + hosts + "\nstore = " + dir.file("stores/" + name) + "\n";
  }
  static std::size_t lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

  TempDir dir;
};

TEST_F(CheckConfigSites, WarnsForEachSiteHostItsCertificateDoesNotCover) {
  ASSERT_TRUE(make_test_ca(dir));
  ASSERT_TRUE(make_test_leaf(dir, "a", {"a.test", "*.w.test"}, "2"));
  ASSERT_TRUE(make_test_leaf(dir, "b", {"b.test"}, "2"));
  const std::string tls = "tls-listen = 127.0.0.1:0\ntls-cert = " + dir.file("b.pem") + "\ntls-key = " + dir.file("b.key") + "\n";
  auto cert = [&](const std::string& name) {
    return "tls-cert = " + dir.file(name + ".pem") + "\ntls-key = " + dir.file(name + ".key") + "\n";
  };
  // Covered: a.test (exact), x.w.test (by *.w.test), *.w.test (the same wildcard).
  // Not covered: c.test, *.x.test, w.test (a wildcard never covers its parent), CN-only names.
  ProcessResult r = check(tls + section("a", "a.test, c.test, x.w.test, *.w.test, *.x.test, w.test") + cert("a") +
                          section("b", "b.test") + cert("b") + section("plain", "plain.test"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("configuration OK"), std::string::npos) << r.out;
  EXPECT_EQ(lines(r.err), 3u) << r.err;
  for (const char* host : {"'c.test'", "'*.x.test'", "'w.test'"})
    EXPECT_NE(r.err.find("warning: --site.a.hosts: " + std::string(host) + " is not among the subjectAltName names of " +
                         dir.file("a.pem")),
              std::string::npos)
        << host << "\n" << r.err;
  for (std::size_t start = 0, end; (end = r.err.find('\n', start)) != std::string::npos; start = end + 1)
    EXPECT_TRUE(r.err.substr(start).starts_with("warning: ")) << r.err;
  // A configuration with errors keeps exit 2; the warnings come as well.
  ProcessResult bad = check(tls + "access-log = " + dir.file("no/such/dir/log") + "\n" +
                            section("a", "c.test") + cert("a"));
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("warning: --site.a.hosts: 'c.test'"), std::string::npos) << bad.err;
}

TEST_F(CheckConfigSites, AtMost1024SitesAnd65536HostNamesInAllElseExit2WithOneLine) {
  std::string sites;
  for (int i = 0; i < 1024; ++i) sites += section("s" + std::to_string(i), "s" + std::to_string(i) + ".test");
  ProcessResult at_bound = check(sites);
  EXPECT_EQ(at_bound.exit_code, 0) << at_bound.err.substr(0, 2000);
  EXPECT_EQ(at_bound.err, "");
  const std::string over = sites + section("s1024", "s1024.test");
  for (bool only_check : {true, false}) {
    ProcessResult r = check(over, only_check);
    EXPECT_EQ(r.exit_code, 2) << r.err.substr(0, 2000);
    EXPECT_EQ(lines(r.err), 1u) << r.err.substr(0, 2000);
    EXPECT_NE(r.err.find("at most 1024 [site.*] sections, 1025 given"), std::string::npos) << r.err;
  }
  // Host names: 65536 over two sites is fine, one more is not.
  auto names = [](const std::string& prefix, int count) {
    std::string text;
    for (int i = 0; i < count; ++i) text += (i ? ", " : "") + prefix + std::to_string(i) + ".test";
    return text;
  };
  ProcessResult hosts_at_bound = check(section("a", names("a", 32768)) + section("b", names("b", 32768)));
  EXPECT_EQ(hosts_at_bound.exit_code, 0) << hosts_at_bound.err.substr(0, 2000);
  for (bool only_check : {true, false}) {
    ProcessResult r = check(section("a", names("a", 32768)) + section("b", names("b", 32769)), only_check);
    EXPECT_EQ(r.exit_code, 2) << r.err.substr(0, 2000);
    EXPECT_EQ(lines(r.err), 1u) << r.err.substr(0, 2000);
    EXPECT_NE(r.err.find("--site.b.hosts: at most 65536 host names"), std::string::npos) << r.err.substr(0, 2000);
  }
}

}  // namespace
}  // namespace relais::testing
