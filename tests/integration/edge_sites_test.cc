// Many sites on one edge ([site.NAME] sections): two publishers with the same
// paths (/index.html, different bytes), each served only under its own host
// names, over HTTP and HTTPS (SNI picks the certificate, Host the site);
// unknown hosts refused (404, 421) or sent to the default site; SNI and Host
// of different sites refused (421); purge per site; bad site options exit 2
// naming site.NAME.option; one site's broken origin does not stop the other.
#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <regex>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"
#include "tests/integration/harness/test_pki.h"

namespace relais::testing {
namespace {

const std::map<std::string, std::string> kRectorat = {
    {"index.html", "<!doctype html><p>Rectorat : actualités de l'académie</p>\n"},
    {"rectorat-seul.html", "<!doctype html><p>Seulement au rectorat</p>\n"},
};
const std::map<std::string, std::string> kThird = {
    {"index.html", "<!doctype html><p>Troisième site, ajouté à chaud</p>\n"},
};
const std::map<std::string, std::string> kEnt = {
    {"index.html", "<!doctype html><p>ENT du département : cahier de textes, messagerie</p>\n"},
};

// dir/NAME/src -> dir/NAME/out with the real relais-sync.
bool publish(const TempDir& dir, const std::string& name, const std::map<std::string, std::string>& files) {
  for (const auto& [path, bytes] : files) dir.write(name + "/src/" + path, bytes);
  ProcessResult r = run_process({RELAIS_SYNC_BIN, "publish", dir.file(name + "/src"), dir.file(name + "/out"), "--quiet"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0;
}

// One GET on a fresh connection with exactly this Host.
std::optional<HttpResponse> get(std::uint16_t port, const std::string& host, const std::string& path) {
  RawClient client(port);
  if (!client.send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")) return std::nullopt;
  return client.read_response();
}

// POST /purge?query with a bearer token: the status, 0 without an answer.
int purge_status(std::uint16_t admin_port, const std::string& query, const std::string& token) {
  RawClient c(admin_port);
  c.send("POST /purge?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
         "\r\nContent-Length: 0\r\n\r\n");
  auto r = c.read_response();
  return r ? r->status : 0;
}

std::uint16_t https_port(RunningEdge& edge) {
  std::smatch m;
  std::string out = edge.process->stdout_text();
  if (!std::regex_search(out, m, std::regex("listening https 127\\.0\\.0\\.1:(\\d+)"))) return 0;
  return static_cast<std::uint16_t>(std::stoi(m[1]));
}

// The two sites' sections; `extra` goes at the end of each ("key = value\n");
// ent_store: another store for ent than its published tree.
std::string sites_config(const TempDir& dir, const std::string& rectorat_extra = "", const std::string& ent_extra = "",
                         const std::string& ent_store = "") {
  return "[site.rectorat]\n"
         "hosts = rectorat.test, www.rectorat.test\n"
         "store = " + dir.file("rectorat/out") + "\n"
         "tls-cert = " + dir.file("rectorat.pem") + "\n"
         "tls-key = " + dir.file("rectorat.key") + "\n"
         "admin-token = rectorat-token\n"
         "cache-control-html = no-cache\n" + rectorat_extra +
         "[site.ent]\n"
         "hosts = *.ent.test\n"
         "store = " + (ent_store.empty() ? dir.file("ent/out") : ent_store) + "\n"
         "tls-cert = " + dir.file("ent.pem") + "\n"
         "tls-key = " + dir.file("ent.key") + "\n" + ent_extra;
}

// Global options, then `sections`, written to dir/file (dir holds the
// fallback certificate); started on ephemeral ports.
RunningEdge start_sites(const TempDir& dir, const std::string& global, const std::string& sections,
                        const std::string& file = "edge.conf") {
  dir.write(file, "listen = 127.0.0.1:0\nadmin-listen = 127.0.0.1:0\ntls-listen = 127.0.0.1:0\n"
                  "tls-cert = " + dir.file("fallback.pem") + "\ntls-key = " + dir.file("fallback.key") + "\n"
                  "workers = 2\nmemory-cache = 64M\nadmin-token = edge-token\n" +
                  (global.find("access-log") == std::string::npos ? "access-log = off\n" : "") + global + sections);
  return run_edge({RELAIS_EDGE_BIN, "--config", dir.file(file)});
}

class EdgeSites : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    ASSERT_TRUE(publish(*dir_, "rectorat", kRectorat));
    ASSERT_TRUE(publish(*dir_, "ent", kEnt));
    ASSERT_TRUE(publish(*dir_, "third", kThird));
    ASSERT_TRUE(make_test_ca(*dir_));
    ASSERT_TRUE(make_test_leaf(*dir_, "rectorat", {"rectorat.test", "www.rectorat.test"}, "2"));
    ASSERT_TRUE(make_test_leaf(*dir_, "ent", {"*.ent.test"}, "2"));
    ASSERT_TRUE(make_test_leaf(*dir_, "fallback", {"fallback.test"}, "2"));
    ASSERT_TRUE(make_test_leaf(*dir_, "third", {"third.test"}, "2"));
    edge_ = new RunningEdge(start_sites(*dir_, "", sites_config(*dir_)));
    ASSERT_NE(edge_->port, 0);
    tls_port_ = https_port(*edge_);
    ASSERT_NE(tls_port_, 0) << edge_->process->stdout_text();
  }
  static void TearDownTestSuite() {
    delete edge_;
    delete dir_;
  }

  // curl https://HOST:PORT/path, HOST resolved to 127.0.0.1 (so it is the
  // SNI name), verified with the test CA; extra args before the URL.
  static ProcessResult curl(const std::string& host, const std::string& path, const std::vector<std::string>& extra = {},
                            std::uint16_t port = 0) {
    const std::string p = std::to_string(port ? port : tls_port_);
    std::vector<std::string> argv = {"curl", "-sS", "--cacert", dir_->file("ca.pem"), "--resolve",
                                     host + ":" + p + ":127.0.0.1", "--max-time", "20"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("https://" + host + ":" + p + path);
    return run_process(argv, std::chrono::seconds(30));
  }

  static TempDir* dir_;
  static RunningEdge* edge_;
  static std::uint16_t tls_port_;
};
TempDir* EdgeSites::dir_ = nullptr;
RunningEdge* EdgeSites::edge_ = nullptr;
std::uint16_t EdgeSites::tls_port_ = 0;

TEST_F(EdgeSites, EachSiteGetsItsOwnBytesForTheSamePathOverHttp) {
  for (const char* host : {"rectorat.test", "www.rectorat.test", "RECTORAT.test:8080", "rectorat.test."}) {
    auto r = get(edge_->port, host, "/index.html");
    ASSERT_TRUE(r) << host;
    EXPECT_EQ(r->status, 200) << host;
    EXPECT_EQ(r->body, kRectorat.at("index.html")) << host;
    EXPECT_EQ(r->header("Cache-Control"), "no-cache") << "the site's own rule";
  }
  for (const char* host : {"college.ent.test", "a.lycee.ent.test"}) {
    auto r = get(edge_->port, host, "/index.html");
    ASSERT_TRUE(r) << host;
    EXPECT_EQ(r->status, 200) << host;
    EXPECT_EQ(r->body, kEnt.at("index.html")) << host;
    EXPECT_EQ(r->header("Cache-Control"), "public, max-age=60") << "the global rule, not the other site's";
  }
}

// Two different 2 KiB files with the same XXH3-128 (found by a hostile
// review): XXH3 is not collision-resistant. Lane 0 of stripes 0 and 1 is set
// to the default secret's low 32 bits, so each lane's multiply is by zero and
// the lane only adds itself: +2^32 in one and -2^32 in the other keeps the
// sum, and the hash, the same.
std::pair<std::string, std::string> xxh3_collision() {
  std::string a(2048, '.');
  a.replace(128, 27, "\nThis is a published file. ");
  auto lane = [](const unsigned char* secret, std::uint64_t high) {
    std::uint64_t v;
    std::memcpy(&v, secret, 8);
    return (v & 0xffffffffULL) | (high << 32);
  };
  const std::uint64_t x = lane(XXH3_kSecret, 0x41414141), y = lane(XXH3_kSecret + 8, 0x42424242);
  std::memcpy(a.data(), &x, 8);
  std::memcpy(a.data() + 64, &y, 8);
  std::string b = a;
  const std::uint64_t x2 = x + (1ULL << 32), y2 = y - (1ULL << 32);
  std::memcpy(b.data(), &x2, 8);
  std::memcpy(b.data() + 64, &y2, 8);
  return {a, b};
}

// The memory tier is shared by the sites of a worker: its keys must not be
// the content hash alone, or a publisher serves its bytes under another
// site's URL (each site's keys carry a random salt, tiered_cache.h).
TEST(EdgeSitesCache, FilesWithTheSameXxh3InTwoSitesAreEachServedTheirOwnBytes) {
  const auto [genuine, evil] = xxh3_collision();
  ASSERT_NE(genuine, evil);
  const XXH128_hash_t hg = XXH3_128bits(genuine.data(), genuine.size()), he = XXH3_128bits(evil.data(), evil.size());
  ASSERT_TRUE(hg.high64 == he.high64 && hg.low64 == he.low64) << "not a collision: the test proves nothing";
  TempDir dir;
  ASSERT_TRUE(publish(dir, "a", {{"x.bin", evil}}));
  ASSERT_TRUE(publish(dir, "b", {{"lib.bin", genuine}}));
  ASSERT_TRUE(make_test_ca(dir));
  ASSERT_TRUE(make_test_leaf(dir, "fallback", {"fallback.test"}, "2"));
  RunningEdge edge = start_sites(dir, "", "[site.a]\nhosts = a.test\nstore = " + dir.file("a/out") +
                                              "\n[site.b]\nhosts = b.test\nstore = " + dir.file("b/out") + "\n");
  ASSERT_NE(edge.port, 0);
  // One keep-alive connection: one worker, one memory tier; alternating
  // requests get each blob admitted and then served from RAM.
  RawClient c(edge.port);
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(c.send("GET /x.bin HTTP/1.1\r\nHost: a.test\r\n\r\nGET /lib.bin HTTP/1.1\r\nHost: b.test\r\n\r\n"));
    auto ra = c.read_response();
    auto rb = c.read_response();
    ASSERT_TRUE(ra && rb) << i;
    EXPECT_EQ(ra->body, evil) << i;
    EXPECT_EQ(rb->body, genuine) << "site b got site a's bytes, round " << i;
  }
}

TEST_F(EdgeSites, AWrongHostNeverGetsAnotherSitesContent) {
  const std::string rectorat = kRectorat.at("index.html"), ent = kEnt.at("index.html");
  for (const char* host : {"unknown.test", "ent.test", "127.0.0.1", "rectorat.test.evil", "xrectorat.test"}) {
    auto r = get(edge_->port, host, "/index.html");
    ASSERT_TRUE(r) << host;
    EXPECT_EQ(r->status, 404) << host;
    EXPECT_EQ(r->body.find("Rectorat"), std::string::npos) << host;
    EXPECT_EQ(r->body.find("ENT"), std::string::npos) << host;
  }
  auto other = get(edge_->port, "college.ent.test", "/rectorat-seul.html");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404) << "a path of one site does not exist on another";
  RawClient old(edge_->port);
  ASSERT_TRUE(old.send("GET /index.html HTTP/1.0\r\n\r\n"));
  auto no_host = old.read_response();
  ASSERT_TRUE(no_host);
  EXPECT_EQ(no_host->status, 404) << "HTTP/1.0 without Host and no default site";
}

TEST_F(EdgeSites, EachSiteGetsItsOwnBytesAndCertificateOverHttps) {
  // --cacert verifies the certificate against the name: SNI picked the site's.
  ProcessResult rectorat = curl("www.rectorat.test", "/index.html");
  ASSERT_EQ(rectorat.exit_code, 0) << rectorat.err;
  EXPECT_EQ(rectorat.out, kRectorat.at("index.html"));
  ProcessResult ent = curl("college.ent.test", "/index.html");
  ASSERT_EQ(ent.exit_code, 0) << ent.err;
  EXPECT_EQ(ent.out, kEnt.at("index.html"));
  // No SNI (an IP address in the URL): the Host alone decides.
  ProcessResult no_sni = run_process({"curl", "-sS", "-k", "--max-time", "20", "-H", "Host: college.ent.test",
                                      "https://127.0.0.1:" + std::to_string(tls_port_) + "/index.html"});
  EXPECT_EQ(no_sni.out, kEnt.at("index.html")) << no_sni.err;
}

TEST_F(EdgeSites, SniAndHostOfDifferentSitesOrAnUnknownHostAreMisdirected) {
  ProcessResult crossed = curl("rectorat.test", "/index.html", {"-H", "Host: college.ent.test", "-w", "\n%{http_code}"});
  ASSERT_EQ(crossed.exit_code, 0) << crossed.err;
  EXPECT_TRUE(crossed.out.ends_with("\n421")) << crossed.out;
  EXPECT_EQ(crossed.out.find("ENT"), std::string::npos);
  EXPECT_EQ(crossed.out.find("Rectorat"), std::string::npos);
  // An unknown name gets the fallback certificate (-k) and a 421, never a site's bytes.
  ProcessResult unknown = curl("unknown.test", "/index.html", {"-k", "-w", "\n%{http_code}"});
  EXPECT_TRUE(unknown.out.ends_with("\n421")) << unknown.out << unknown.err;
  // SNI of a site, Host unknown: still the other's 421, not the SNI site's content.
  ProcessResult unknown_host = curl("rectorat.test", "/index.html", {"-H", "Host: unknown.test", "-w", "\n%{http_code}"});
  EXPECT_TRUE(unknown_host.out.ends_with("\n421")) << unknown_host.out;
}

TEST_F(EdgeSites, HealthNamesEverySite) {
  auto r = http_get(edge_->admin_port, "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("rectorat: ok generation=1 objects=2"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("ent: ok generation=1 objects=1"), std::string::npos) << r->body;
}

TEST_F(EdgeSites, TheDefaultSiteAnswersUnknownHostsWithItsCertificate) {
  RunningEdge edge = start_sites(*dir_, "default-site = ent\n", sites_config(*dir_), "default.conf");
  auto r = get(edge.port, "unknown.test", "/index.html");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, kEnt.at("index.html"));
  auto rectorat = get(edge.port, "rectorat.test", "/index.html");
  ASSERT_TRUE(rectorat);
  EXPECT_EQ(rectorat->body, kRectorat.at("index.html")) << "named hosts keep their site";
  ProcessResult s_client = run_process({"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(https_port(edge)),
                                        "-servername", "unknown.test"});
  EXPECT_NE(s_client.out.find("CN = *.ent.test"), std::string::npos) << s_client.out;
  ProcessResult https = curl("unknown.test", "/index.html", {"-k"}, https_port(edge));
  EXPECT_EQ(https.out, kEnt.at("index.html")) << https.err;
}

TEST_F(EdgeSites, PurgeIsPerSite) {
  RunningEdge edge = start_sites(*dir_, "", sites_config(*dir_), "purge.conf");
  auto purge = [&](const std::string& query, const std::string& token) { return purge_status(edge.admin_port, query, token); };
  EXPECT_EQ(purge("site=ent&path=/index.html", "rectorat-token"), 403) << "a site's token purges that site only";
  EXPECT_EQ(purge("path=/index.html", "edge-token"), 400) << "the edge's token must name the site";
  EXPECT_EQ(purge("path=/index.html", "rectorat-token"), 200);
  EXPECT_EQ(get(edge.port, "rectorat.test", "/index.html")->status, 404);
  EXPECT_EQ(get(edge.port, "college.ent.test", "/index.html")->status, 200) << "the other site's same path stays";
  EXPECT_EQ(purge("site=ent&path=/index.html", "edge-token"), 200);
  EXPECT_EQ(get(edge.port, "college.ent.test", "/index.html")->status, 404);
  EXPECT_EQ(get(edge.port, "rectorat.test", "/rectorat-seul.html")->status, 200);
}

TEST_F(EdgeSites, OneSitesBrokenOriginDoesNotAffectTheOther) {
  // ent syncs from dir/ent-origin every 100 ms into its own store; the
  // rectorat's origin does not exist: every one of its syncs fails.
  TempDir run;
  ASSERT_TRUE(publish(run, "ent-origin", kEnt));
  std::filesystem::create_directories(run.file("ent-store"));
  const std::string config =
      sites_config(*dir_, "origin = " + run.file("missing-origin") + "\nsync-interval = 100ms\n",
                   "origin = " + run.file("ent-origin/out") + "\nsync-interval = 100ms\n", run.file("ent-store"));
  RunningEdge edge = start_sites(*dir_, "", config, "broken.conf");
  ASSERT_TRUE(edge.process->wait_for_line("site ent: catalog generation 1")) << edge.process->stderr_text();
  EXPECT_TRUE(edge.process->wait_for_stderr_text("sync from " + run.file("missing-origin") + " failed"));
  EXPECT_EQ(get(edge.port, "college.ent.test", "/index.html")->body, kEnt.at("index.html"));
  // A new publication reaches the healthy site on its schedule.
  const std::string updated = "<!doctype html><p>ENT : nouvelle page</p>\n";
  ASSERT_TRUE(publish(run, "ent-origin", {{"index.html", updated}}));
  ASSERT_TRUE(edge.process->wait_for_line("site ent: catalog generation 2")) << edge.process->stderr_text();
  EXPECT_EQ(get(edge.port, "college.ent.test", "/index.html")->body, updated);
  auto rectorat = get(edge.port, "rectorat.test", "/index.html");
  ASSERT_TRUE(rectorat);
  EXPECT_EQ(rectorat->status, 200);
  EXPECT_EQ(rectorat->body, kRectorat.at("index.html")) << "the broken site serves its last catalog";
  // Each site's own series: the rectorat's sync fails while the ent's is fine.
  auto m = http_get(edge.admin_port, "/metrics");
  ASSERT_TRUE(m);
  for (const char* series : {"relais_sync_last_ok{site=\"rectorat\"} 0\n", "relais_sync_last_ok{site=\"ent\"} 1\n",
                             "relais_sync_last_success_timestamp_seconds{site=\"rectorat\"} 0\n",
                             "relais_sync_failures_total{site=\"ent\",reason=\"manifest_fetch\"} 0\n",
                             "relais_catalog_generation{site=\"ent\"} 2\n", "relais_catalog_generation{site=\"rectorat\"} 1\n",
                             "relais_catalog_loaded{site=\"ent\"} 1\n", "relais_catalog_loaded{site=\"rectorat\"} 1\n"})
    EXPECT_NE(m->body.find(series), std::string::npos) << series << m->body;
  EXPECT_EQ(m->body.find("relais_sync_failures_total{site=\"rectorat\",reason=\"manifest_fetch\"} 0\n"), std::string::npos)
      << m->body;
  EXPECT_EQ(m->body.find("\nrelais_sync_last_ok "), std::string::npos) << "no unlabelled sync series";
  EXPECT_EQ(m->body.find("\nrelais_catalog_generation "), std::string::npos) << "no unlabelled catalog series";
}

TEST_F(EdgeSites, SighupChangesASitesHostsLiveAndAddsANewSiteWithItsCertificate) {
  RunningEdge edge = start_sites(*dir_, "", sites_config(*dir_), "reload.conf");
  EXPECT_EQ(get(edge.port, "lycee.test", "/index.html")->status, 404);
  RawClient kept(edge.port);  // a keep-alive connection to the first site across the reload
  const std::string request = "GET /index.html HTTP/1.1\r\nHost: rectorat.test\r\n\r\n";
  ASSERT_TRUE(kept.send(request));
  ASSERT_TRUE(kept.read_response());
  // The same globals; ent gains a name, a third site appears with its own store and certificate.
  const std::string before = read_file(dir_->file("reload.conf"));
  std::string sections = sites_config(*dir_);
  sections.replace(sections.find("hosts = *.ent.test"), std::strlen("hosts = *.ent.test"), "hosts = *.ent.test, lycee.test");
  dir_->write("reload.conf", before.substr(0, before.find("[site.")) + sections +
                                 "[site.third]\nhosts = third.test\nstore = " + dir_->file("third/out") + "\n"
                                 "tls-cert = " + dir_->file("third.pem") + "\ntls-key = " + dir_->file("third.key") + "\n"
                                 "admin-token = third-token\n");
  edge.process->send_signal(SIGHUP);
  ASSERT_TRUE(edge.process->wait_for_line("site third: catalog generation 1")) << edge.process->stderr_text();
  ASSERT_TRUE(edge.process->wait_for_line("configuration reloaded")) << edge.process->stderr_text();
  EXPECT_EQ(edge.process->stderr_text().find("--site.third"), std::string::npos) << "an added site is not restart-only";
  auto moved = get(edge.port, "lycee.test", "/index.html");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->body, kEnt.at("index.html")) << "a host added to a site answers at once";
  auto third = get(edge.port, "third.test", "/index.html");
  ASSERT_TRUE(third);
  EXPECT_EQ(third->body, kThird.at("index.html")) << "a new site answers at once";
  // HTTPS: its own certificate by SNI (curl verifies the name against the test CA).
  ProcessResult https = curl("third.test", "/index.html", {}, https_port(edge));
  EXPECT_EQ(https.exit_code, 0) << https.err;
  EXPECT_EQ(https.out, kThird.at("index.html"));
  // The kept-alive connection to the first site still works.
  ASSERT_TRUE(kept.send(request));
  auto again = kept.read_response();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, kRectorat.at("index.html"));
  // Its token purges it, its metrics and histograms carry its name.
  EXPECT_EQ(purge_status(edge.admin_port, "path=/index.html", "third-token"), 200);
  EXPECT_EQ(get(edge.port, "third.test", "/index.html")->status, 404);
  auto m = http_get(edge.admin_port, "/metrics");
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("relais_catalog_loaded{site=\"third\"} 1\n"), std::string::npos) << m->body;
  EXPECT_NE(m->body.find("relais_request_duration_seconds_count{site=\"third\",class=\"2xx\"}"), std::string::npos) << m->body;
}

TEST_F(EdgeSites, SighupRemovesASiteItsHostsAreRefusedAndItsSyncStops) {
  // Both sites sync every 100 ms from their own origin into their own store.
  TempDir run;
  ASSERT_TRUE(publish(run, "rectorat-origin", kRectorat));
  ASSERT_TRUE(publish(run, "ent-origin", kEnt));
  std::filesystem::create_directories(run.file("rectorat-store"));
  std::filesystem::create_directories(run.file("ent-store"));
  std::string config = sites_config(*dir_, "origin = " + run.file("rectorat-origin/out") + "\nsync-interval = 100ms\n",
                                    "origin = " + run.file("ent-origin/out") + "\nsync-interval = 100ms\n", run.file("ent-store"));
  config.replace(config.find(dir_->file("rectorat/out")), dir_->file("rectorat/out").size(), run.file("rectorat-store"));
  RunningEdge edge = start_sites(*dir_, "", config, "removed.conf");
  // Both first syncs, in whichever order they end (wait_for_line reads stdout in order).
  auto both_loaded = [&edge] {
    const std::string out = edge.process->stdout_text();
    return out.find("site ent: catalog generation 1") != std::string::npos &&
           out.find("site rectorat: catalog generation 1") != std::string::npos;
  };
  for (const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
       !both_loaded() && std::chrono::steady_clock::now() < until;)
    ::poll(nullptr, 0, 20);
  ASSERT_TRUE(both_loaded()) << edge.process->stdout_text() << edge.process->stderr_text();
  RawClient kept(edge.port);
  const std::string request = "GET /index.html HTTP/1.1\r\nHost: rectorat.test\r\n\r\n";
  ASSERT_TRUE(kept.send(request));
  ASSERT_TRUE(kept.read_response());
  const std::string before = read_file(dir_->file("removed.conf"));
  dir_->write("removed.conf", before.substr(0, before.find("[site.ent]")));
  edge.process->send_signal(SIGHUP);
  ASSERT_TRUE(edge.process->wait_for_line("site ent: removed")) << edge.process->stderr_text();
  ASSERT_TRUE(edge.process->wait_for_line("configuration reloaded")) << edge.process->stderr_text();
  EXPECT_EQ(edge.process->stderr_text().find("--site.ent"), std::string::npos) << "a removed site is not restart-only";
  EXPECT_EQ(get(edge.port, "college.ent.test", "/index.html")->status, 404);
  ProcessResult https = curl("college.ent.test", "/index.html", {"-k", "-o", "/dev/null", "-w", "%{http_code}"}, https_port(edge));
  EXPECT_EQ(https.out, "421") << https.err;
  EXPECT_EQ(purge_status(edge.admin_port, "site=ent&path=/index.html", "edge-token"), 404);
  // Its sync stopped: a new publication reaches the rectorat, never the removed site.
  ASSERT_TRUE(publish(run, "ent-origin", {{"index.html", "<!doctype html><p>ENT v2</p>\n"}}));
  ASSERT_TRUE(publish(run, "rectorat-origin", {{"index.html", "<!doctype html><p>Rectorat v2</p>\n"}}));
  ASSERT_TRUE(edge.process->wait_for_line("site rectorat: catalog generation 2")) << edge.process->stderr_text();
  ASSERT_TRUE(publish(run, "rectorat-origin", {{"index.html", "<!doctype html><p>Rectorat v3</p>\n"}}));
  ASSERT_TRUE(edge.process->wait_for_line("site rectorat: catalog generation 3")) << edge.process->stderr_text();
  EXPECT_EQ(edge.process->stdout_text().find("site ent: catalog generation 2"), std::string::npos);
  auto m = http_get(edge.admin_port, "/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->body.find("relais_sync_last_ok{site=\"ent\"}"), std::string::npos) << m->body;
  EXPECT_NE(m->body.find("relais_sync_last_ok{site=\"rectorat\"} 1\n"), std::string::npos) << m->body;
  ASSERT_TRUE(kept.send(request));
  auto again = kept.read_response();
  ASSERT_TRUE(again) << "the kept-alive connection to the other site survives";
  EXPECT_EQ(again->status, 200);
}

TEST_F(EdgeSites, SighupRefusesABadNewSiteSectionAndTheRunningSitesKeepServing) {
  RunningEdge edge = start_sites(*dir_, "", sites_config(*dir_), "bad-site.conf");
  RawClient kept(edge.port);  // a keep-alive connection across the refused reloads
  const std::string request = "GET /index.html HTTP/1.1\r\nHost: rectorat.test\r\n\r\n";
  ASSERT_TRUE(kept.send(request));
  auto first = kept.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, kRectorat.at("index.html"));
  // A third site without a store, and one whose host another site owns.
  const std::string before = read_file(dir_->file("bad-site.conf"));
  const std::pair<std::string, std::string> kBad[] = {
      {"[site.third]\nhosts = third.test\n", "--site.third.store"},
      {"[site.third]\nhosts = rectorat.test\nstore = " + dir_->file("third") + "\n", "--site.third.hosts"}};
  for (const auto& [section, option] : kBad) {
    dir_->write("bad-site.conf", before + section);
    edge.process->send_signal(SIGHUP);
    ASSERT_TRUE(edge.process->wait_for_stderr_text("configuration reload refused, keeping the one in service: " + option))
        << edge.process->stderr_text();
  }
  EXPECT_EQ(edge.process->stdout_text().find("configuration reloaded"), std::string::npos);
  ASSERT_TRUE(kept.send(request));
  auto again = kept.read_response();
  ASSERT_TRUE(again) << "the kept-alive connection survives the refused reloads";
  EXPECT_EQ(again->body, kRectorat.at("index.html"));
  EXPECT_EQ(get(edge.port, "college.ent.test", "/index.html")->body, kEnt.at("index.html"));
  EXPECT_EQ(get(edge.port, "third.test", "/index.html")->status, 404);
}

TEST_F(EdgeSites, OneSitesBadCertificateRefusesTheWholeReloadAndStartingWithItExitsTwo) {
  RunningEdge edge = start_sites(*dir_, "", sites_config(*dir_), "bad-cert.conf");
  // The rectorat gains a name, the ent's certificate file is gone: all or nothing, nothing is taken.
  const std::string before = read_file(dir_->file("bad-cert.conf"));
  std::string sections = sites_config(*dir_);
  const std::string hosts = "hosts = rectorat.test, www.rectorat.test";
  sections.replace(sections.find(hosts), hosts.size(), hosts + ", new.rectorat.test");
  sections.replace(sections.find(dir_->file("ent.pem")), dir_->file("ent.pem").size(), dir_->file("missing-ent.pem"));
  dir_->write("bad-cert.conf", before.substr(0, before.find("[site.")) + sections);
  edge.process->send_signal(SIGHUP);
  ASSERT_TRUE(edge.process->wait_for_stderr_text("configuration reload refused, keeping the one in service: TLS reload failed: "
                                                 "--site.ent.tls-cert " + dir_->file("missing-ent.pem") + ": cannot read"))
      << edge.process->stderr_text();
  EXPECT_EQ(edge.process->stdout_text().find("configuration reloaded"), std::string::npos);
  EXPECT_EQ(get(edge.port, "new.rectorat.test", "/index.html")->status, 404) << "no other site's change is taken";
  ProcessResult https = curl("college.ent.test", "/index.html", {}, https_port(edge));
  EXPECT_EQ(https.exit_code, 0) << https.err << " (the ent keeps its certificate in service)";
  EXPECT_EQ(https.out, kEnt.at("index.html"));
  ProcessResult start = run_process({RELAIS_EDGE_BIN, "--config", dir_->file("bad-cert.conf")}, std::chrono::seconds(30));
  EXPECT_EQ(start.exit_code, 2) << start.out << start.err;
  EXPECT_EQ(std::count(start.err.begin(), start.err.end(), '\n'), 1) << start.err;
  EXPECT_NE(start.err.find("--site.ent.tls-cert " + dir_->file("missing-ent.pem")), std::string::npos) << start.err;
}

TEST_F(EdgeSites, TheAccessLogNamesTheSiteBeforeTheRequestTime) {
  TempDir logs;
  RunningEdge edge = start_sites(*dir_, "access-log = " + logs.file("access.log") + "\n", sites_config(*dir_), "log.conf");
  EXPECT_EQ(get(edge.port, "rectorat.test", "/index.html")->status, 200);
  EXPECT_EQ(get(edge.port, "college.ent.test", "/index.html")->status, 200);
  EXPECT_EQ(get(edge.port, "unknown.test", "/index.html")->status, 404);
  // A stop hands every worker's buffered lines to the log before exit.
  edge.process->send_signal(SIGTERM);
  ASSERT_EQ(edge.process->wait_exit(std::chrono::seconds(20)), 0);
  const std::string log = read_file(logs.file("access.log"));
  EXPECT_NE(log.find("\"GET /index.html HTTP/1.1\" 200 " + std::to_string(kRectorat.at("index.html").size())),
            std::string::npos) << log;
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 3) << log;
  std::size_t rectorat = 0, ent = 0, none = 0;
  for (std::size_t start = 0, end; (end = log.find('\n', start)) != std::string::npos; start = end + 1) {
    std::string line = log.substr(start, end - start);
    line.erase(line.rfind(' '));  // the request time, always last
    rectorat += line.ends_with(" rectorat");
    ent += line.ends_with(" ent");
    none += line.find("\" 404 ") != std::string::npos && line.ends_with("\" - -");  // tier, site
  }
  EXPECT_EQ(rectorat, 1u) << log;
  EXPECT_EQ(ent, 1u) << log;
  EXPECT_EQ(none, 1u) << "an unknown host is no site's" << log;
}

struct BadSite {
  std::string section;  // lines after "[site.a]\nhosts = a.test\nstore = STORE\n"
  std::string named;    // the option the one stderr line must name
};

TEST_F(EdgeSites, BadSiteOptionsExitTwoWithOneLineNamingTheOption) {
  const std::string store = dir_->file("rectorat/out");
  const std::string second = "[site.b]\nhosts = b.test\nstore = " + dir_->file("ent/out") + "\n";
  const BadSite rows[] = {
      {"sync-jobs = 0\n", "--site.a.sync-jobs"},
      {"sync-interval = 1ms\n", "--site.a.sync-interval"},
      {"max-ranges = 65\n", "--site.a.max-ranges"},
      {"origin = ftp://origin.test/\n", "--site.a.origin"},
      {"cache-control-rule = videos=public\n", "--site.a.cache-control-rule"},
      {"query-key = a b\n", "--site.a.query-key"},
      {"query-key = v\nquery-key = v\n", "--site.a.query-key"},
      {"tls-cert = " + dir_->file("rectorat.pem") + "\n", "--site.a.tls-key"},
      {"tls-key = " + dir_->file("rectorat.key") + "\n", "--site.a.tls-cert"},
      {"bogus = 1\n", "site.a.bogus"},
      // Pull-through keys (docs/PULL_THROUGH.md).
      {"mode = proxy\n", "--site.a.mode"},
      {"mode = pull\n", "--site.a.origin-url"},
      {"mode = pull\norigin-url = http://origin.test/path\n", "--site.a.origin-url"},
      {"mode = pull\norigin-url = http://127.0.0.1:1\npull-prefix = /a/\n", "--site.a.pull-prefix"},
      {"mode = both\norigin-url = http://127.0.0.1:1\npull-prefix = a/\n", "--site.a.pull-prefix"},
      {"store = /elsewhere\n", "site.a.store"},
      {"[site.b]\nstore = " + dir_->file("ent/out") + "\n", "--site.b.hosts"},
      {"[site.b]\nhosts = b.test\n", "--site.b.store"},
      {"[site.b]\nhosts = b.test\nstore = " + store + "\n", "--site.b.store"},
      {"hosts = a..test\n", "--site.a.hosts"},
      {"[site.b]\nhosts = A.test\nstore = " + dir_->file("ent/out") + "\n", "--site.b.hosts"},
      {"[site.b c]\nhosts = c.test\n", "[site.b c]"},
      // The same store spelled otherwise, or one inside the other (hostile review).
      {"[site.b]\nhosts = b.test\nstore = " + store + "/\n", "--site.b.store"},
      {"[site.b]\nhosts = b.test\nstore = " + store + "/../out\n", "--site.b.store"},
      {"[site.b]\nhosts = b.test\nstore = " + store + "/inner\n", "--site.b.store"},
      // A section written twice would have its keys merged.
      {"[site.b]\nhosts = b.test\nstore = " + dir_->file("ent/out") + "\n[site.a]\norigin = " + store + "\n",
       "section [site.a] appears twice"},
      // A purge token names one site.
      {"admin-token = same\n[site.b]\nhosts = b.test\nstore = " + dir_->file("ent/out") + "\nadmin-token = same\n",
       "--site.b.admin-token"},
  };
  for (const BadSite& row : rows) {
    // hosts given twice in one section is a parse error too: rows that set
    // hosts again do it in another section (or expect that error).
    std::string text = "listen = 127.0.0.1:0\nadmin-listen = 127.0.0.1:0\n[site.a]\nstore = " + store + "\n";
    text += row.section.starts_with("hosts") ? "" : "hosts = a.test\n";
    text += row.section;
    dir_->write("bad.conf", text);
    for (bool check : {false, true}) {
      std::vector<std::string> argv = {RELAIS_EDGE_BIN, "--config", dir_->file("bad.conf")};
      if (check) argv.push_back("--check-config");
      ProcessResult r = run_process(argv, std::chrono::seconds(30));
      EXPECT_EQ(r.exit_code, 2) << row.section << r.out << r.err;
      EXPECT_NE(r.err.find(row.named), std::string::npos) << row.section << "\n" << r.err;
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << row.section << "\n" << r.err;
    }
  }
  // The global options a site replaces, and a default site that is not one.
  dir_->write("global.conf", "listen = 127.0.0.1:0\nstore = /var/lib/relais/other\n[site.a]\nhosts = a.test\nstore = " +
                                 store + "\n" + second);
  ProcessResult global = run_process({RELAIS_EDGE_BIN, "--config", dir_->file("global.conf"), "--check-config"});
  EXPECT_EQ(global.exit_code, 2);
  EXPECT_NE(global.err.find("--store"), std::string::npos) << global.err;
  dir_->write("default.conf", "default-site = nowhere\n" + second);
  ProcessResult missing = run_process({RELAIS_EDGE_BIN, "--config", dir_->file("default.conf"), "--check-config"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--default-site"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace relais::testing
