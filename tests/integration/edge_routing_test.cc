// Options that change what a request maps to: the query allow-list, the
// Cache-Control rules per path prefix, and OPTIONS, on the real relais-edge.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"

namespace relais::testing {
namespace {

// A mirrored site that used ?lang= to pick a page: the mirror names each
// page after its URL, query included.
std::map<std::string, std::string> mirrored_tree() {
  std::map<std::string, std::string> files;
  files["page.html"] = "<p>page (default language)</p>\n";
  files["page.html?lang=fr"] = "<p>page en français</p>\n";
  files["page.html?lang=en&level=2"] = "<p>page in English, level 2</p>\n";
  files["docs/index.html"] = "<p>docs</p>\n";
  files["docs/index.html?lang=fr"] = "<p>documentation</p>\n";
  return files;
}

TEST(EdgeRouting, QueryAllowListSelectsThePublishedFile) {
  TempDir dir;
  const auto files = mirrored_tree();
  ASSERT_TRUE(publish_tree(dir, files));
  RunningEdge edge = start_edge(dir, {"--query-key", "lang", "--query-key", "level"});
  struct Row {
    const char* target;
    int status;
    const char* file;  // expected body's source, when 200
  };
  const Row rows[] = {
      {"/page.html", 200, "page.html"},
      {"/page.html?v=123456", 200, "page.html"},            // not listed: ignored
      {"/page.html?v=1&lang=fr&utm=x", 200, "page.html?lang=fr"},
      {"/page.html?level=2&lang=en", 200, "page.html?lang=en&level=2"},  // allow-list order
      {"/page.html?lang=en&level=2&v=9", 200, "page.html?lang=en&level=2"},
      {"/page.html?lang=de", 404, nullptr},                 // listed, and no such page
      {"/page.html?language=fr", 200, "page.html"},        // a key is matched whole
      {"/docs/?lang=fr", 200, "docs/index.html?lang=fr"},
      {"/docs/", 200, "docs/index.html"},
  };
  for (const Row& row : rows) {
    auto r = http_get(edge.port, row.target);
    ASSERT_TRUE(r) << row.target;
    EXPECT_EQ(r->status, row.status) << row.target;
    if (row.file != nullptr) {
      EXPECT_EQ(r->body, files.at(row.file)) << row.target;
    }
  }
  // The directory redirect keeps the query, so the language survives it.
  auto redirect = http_get(edge.port, "/docs?lang=fr&v=2");
  ASSERT_TRUE(redirect);
  EXPECT_EQ(redirect->status, 301);
  EXPECT_EQ(redirect->header("Location"), "/docs/?lang=fr&v=2");
}

TEST(EdgeRouting, WithoutAnAllowListTheQueryIsIgnored) {
  TempDir dir;
  const auto files = mirrored_tree();
  ASSERT_TRUE(publish_tree(dir, files));
  RunningEdge edge = start_edge(dir);
  auto r = http_get(edge.port, "/page.html?lang=fr");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, files.at("page.html"));
  // The literal file name is still reachable with an encoded '?'.
  auto literal = http_get(edge.port, "/page.html%3Flang=fr");
  ASSERT_TRUE(literal);
  EXPECT_EQ(literal->body, files.at("page.html?lang=fr"));
}

TEST(EdgeRouting, CacheControlRulesApplyPerPrefixBeforeTheTypeDefaults) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir, {"--cache-control-rule", "/videos/=public, max-age=604800, immutable",
                                      "--cache-control-rule", "/cours/=no-cache", "--cache-control-rule",
                                      "/cours/style.css=public, max-age=1"});
  struct Row {
    const char* target;
    int status;
    const char* cache_control;
  };
  const Row rows[] = {
      {"/videos/big.bin", 200, "public, max-age=604800, immutable"},
      {"/cours/lecon.html", 200, "no-cache"},           // a rule wins over the HTML default
      {"/cours/style.css", 200, "no-cache"},            // first match wins, not the longest
      {"/index.html", 200, "public, max-age=60"},      // no rule: the HTML default
      {"/empty.txt", 200, "public, max-age=86400"},    // no rule: the default
      {"/cours", 301, "no-cache"},                     // the redirect to a directory under a rule
  };
  for (const Row& row : rows) {
    auto r = http_get(edge.port, row.target);
    ASSERT_TRUE(r) << row.target;
    EXPECT_EQ(r->status, row.status) << row.target;
    EXPECT_EQ(r->header("Cache-Control"), row.cache_control) << row.target;
  }
  // A 304 carries the same Cache-Control as the 200 it stands for (RFC 9110 §15.4.5).
  auto first = http_get(edge.port, "/videos/big.bin", {"Range: bytes=0-0"});
  ASSERT_TRUE(first);
  auto revalidated = http_get(edge.port, "/videos/big.bin", {"If-None-Match: " + first->header("ETag")});
  ASSERT_TRUE(revalidated);
  EXPECT_EQ(revalidated->status, 304);
  EXPECT_EQ(revalidated->header("Cache-Control"), "public, max-age=604800, immutable");
}

TEST(EdgeRouting, OptionsOnAPathIsCheckedLikeAGet) {
  TempDir dir;
  ASSERT_TRUE(publish_tree(dir, standard_tree()));
  RunningEdge edge = start_edge(dir);
  auto ok = http_get(edge.port, "/cours/lecon.html", {}, "OPTIONS");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->header("Allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(ok->header("Content-Length"), "0");
  // The target is normalised and checked before OPTIONS is answered: what a
  // GET refuses, OPTIONS refuses too.
  for (const char* bad : {"/a/../../etc/passwd", "/a%2fb", "/a%00b"}) {
    RawClient c(edge.port);
    ASSERT_TRUE(c.send(std::string("OPTIONS ") + bad + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad;
  }
  // Absolute-form names a host of this edge (RFC 9112 §3.2.2, edge_sites_routing_test.cc);
  // another scheme is refused as for a GET.
  RawClient other_scheme(edge.port);
  ASSERT_TRUE(other_scheme.send("OPTIONS ftp://elsewhere.example/ HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto refused = other_scheme.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  // "*" names the server, not a resource: only OPTIONS takes it.
  RawClient star(edge.port);
  ASSERT_TRUE(star.send("GET * HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto get_star = star.read_response();
  ASSERT_TRUE(get_star);
  EXPECT_EQ(get_star->status, 400);
  EXPECT_TRUE(star.wait_closed());
}

}  // namespace
}  // namespace relais::testing
