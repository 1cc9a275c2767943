// Which site answers when the request names its host otherwise than by Host
// (hostile review): an absolute-form target (RFC 9112 §3.2.2: its authority
// picks the site, Host is ignored, nothing is fetched) and an HTTP/1.0
// request without Host over TLS (the SNI name picks the site).
#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"
#include "tests/integration/harness/test_pki.h"

namespace relais::testing {
namespace {

const std::map<std::string, std::string> kPages = {
    {"a", "<!doctype html><p>Site A</p>\n"},
    {"b", "<!doctype html><p>Site B</p>\n"},
};

class EdgeSitesRouting : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    for (const auto& [name, page] : kPages) {
      dir_->write(name + "/src/index.html", page);
      ProcessResult r = run_process({RELAIS_SYNC_BIN, "publish", dir_->file(name + "/src"), dir_->file(name + "/out"), "--quiet"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    ASSERT_TRUE(make_test_ca(*dir_));
    ASSERT_TRUE(make_test_leaf(*dir_, "a", {"a.test"}, "2"));
    ASSERT_TRUE(make_test_leaf(*dir_, "b", {"b.test"}, "2"));
    ASSERT_TRUE(make_test_leaf(*dir_, "fallback", {"fallback.test"}, "2"));
  }
  static void TearDownTestSuite() { delete dir_; }

  // Sites a (a.test) and b (b.test), each with its certificate; `global`
  // before the sections.
  static RunningEdge start(const std::string& global, const std::string& file) {
    std::string text = "listen = 127.0.0.1:0\nadmin-listen = 127.0.0.1:0\ntls-listen = 127.0.0.1:0\n"
                       "tls-cert = " + dir_->file("fallback.pem") + "\ntls-key = " + dir_->file("fallback.key") + "\n"
                       "workers = 1\nmemory-cache = 8M\naccess-log = off\n" + global;
    for (const auto& [name, page] : kPages)
      text += "[site." + name + "]\nhosts = " + name + ".test\nstore = " + dir_->file(name + "/out") + "\ntls-cert = " +
              dir_->file(name + ".pem") + "\ntls-key = " + dir_->file(name + ".key") + "\n";
    dir_->write(file, text);
    return run_edge({RELAIS_EDGE_BIN, "--config", dir_->file(file)});
  }

  // One request line and its fields, on a fresh connection: status and body.
  static std::pair<int, std::string> ask(std::uint16_t port, const std::string& head) {
    RawClient client(port);
    if (!client.send(head + "Accept-Encoding: identity\r\nConnection: close\r\n\r\n")) return {0, ""};
    auto r = client.read_response();
    return r ? std::pair{r->status, r->body} : std::pair{0, std::string()};
  }

  static std::uint16_t https_port(RunningEdge& edge) {
    std::smatch m;
    const std::string out = edge.process->stdout_text();
    if (!std::regex_search(out, m, std::regex("listening https 127\\.0\\.0\\.1:(\\d+)"))) return 0;
    return static_cast<std::uint16_t>(std::stoi(m[1]));
  }

  static TempDir* dir_;
};
TempDir* EdgeSitesRouting::dir_ = nullptr;

TEST_F(EdgeSitesRouting, AnAbsoluteFormTargetsAuthorityPicksTheSiteAndHostIsIgnored) {
  RunningEdge edge = start("", "absolute.conf");
  ASSERT_NE(edge.port, 0);
  using Answer = std::pair<int, std::string>;
  EXPECT_EQ(ask(edge.port, "GET http://b.test/index.html HTTP/1.1\r\nHost: a.test\r\n"), (Answer{200, kPages.at("b")}));
  EXPECT_EQ(ask(edge.port, "GET HTTP://A.test:8080/index.html HTTP/1.1\r\nHost: b.test\r\n"), (Answer{200, kPages.at("a")}));
  EXPECT_EQ(ask(edge.port, "GET https://a.test/index.html HTTP/1.1\r\nHost: b.test\r\n"), (Answer{200, kPages.at("a")}))
      << "an https target names a host, nothing more: no fetch, no redirect";
  EXPECT_EQ(ask(edge.port, "GET http://a.test HTTP/1.0\r\n").first, 200) << "HTTP/1.0 needs no Host";
  // An authority no site names: as an unknown Host (404 here, no default site), even with a good Host.
  EXPECT_EQ(ask(edge.port, "GET http://nowhere.test/index.html HTTP/1.1\r\nHost: a.test\r\n").first, 404);
  EXPECT_EQ(ask(edge.port, "GET http://127.0.0.1:1/index.html HTTP/1.1\r\nHost: a.test\r\n").first, 404)
      << "never a proxy: an address is just an unknown name";
  // Other schemes and malformed absolute-forms: 400, whatever Host says.
  for (const char* target : {"ftp://a.test/index.html", "http://u@a.test/index.html", "http:///index.html",
                             "a.test/index.html", "*"}) {
    EXPECT_EQ(ask(edge.port, std::string("GET ") + target + " HTTP/1.1\r\nHost: a.test\r\n").first, 400) << target;
  }
}

TEST_F(EdgeSitesRouting, AnAbsoluteFormAuthorityNoSiteNamesGoesToTheDefaultSite) {
  RunningEdge edge = start("default-site = b\n", "default.conf");
  ASSERT_NE(edge.port, 0);
  const auto [status, body] = ask(edge.port, "GET http://nowhere.test/index.html HTTP/1.1\r\nHost: a.test\r\n");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, kPages.at("b")) << "the default site, not Host's site a";
}

TEST_F(EdgeSitesRouting, AnHttp10RequestWithoutHostOverTlsGetsTheSiteOfItsSniName) {
  RunningEdge edge = start("", "sni.conf");
  const std::uint16_t port = https_port(edge);
  ASSERT_NE(port, 0) << edge.process->stdout_text();
  // curl -H "Host:" sends no Host at all; --resolve makes the name the SNI;
  // no ALPN (the edge offers no "http/1.0" protocol id).
  auto fetch = [&](const std::string& name, const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {"curl", "-sS", "--cacert", dir_->file("ca.pem"), "--resolve",
                                     name + ":" + std::to_string(port) + ":127.0.0.1", "--max-time", "20", "--no-alpn",
                                     "-w", "\n%{http_code}"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("https://" + name + ":" + std::to_string(port) + "/index.html");
    return run_process(argv, std::chrono::seconds(30));
  };
  for (const auto& [name, page] : kPages) {
    ProcessResult r = fetch(name + ".test", {"--http1.0", "-H", "Host:"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, page + "\n200") << name;
  }
  // HTTP/1.1 still needs its Host (RFC 9112 §3.2).
  ProcessResult r = fetch("a.test", {"--http1.1", "-H", "Host:"});
  EXPECT_TRUE(r.out.ends_with("\n400")) << r.out << r.err;
}

}  // namespace
}  // namespace relais::testing
