// Target normaliser: from the request-target to a catalog key, and the
// traversal and confusion attacks it refuses.
#include "edge/http/target_normalizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace relais::http {
namespace {

using namespace std::string_literals;

struct Normalized {
  NormalizedTarget t;
  std::string authority;
  std::vector<char> buffer;
};

// out exactly as large as the target: the tightest buffer the contract allows.
Normalized normalize(const std::string& target) {
  Normalized n;
  n.buffer.resize(target.size());
  std::string_view authority;
  n.t = normalize_target(target, n.buffer, &authority);
  n.authority = std::string(authority);
  return n;
}

struct Row {
  std::string target;
  int status;          // 0 = ok
  std::string path;    // when ok
  bool trailing_slash;
};

TEST(TargetNormalizer, NormalisesOrRefusesEachTarget) {
  const std::vector<Row> rows = {
      {"/", 0, "/", true},
      {"/a", 0, "/a", false},
      {"/a/b/", 0, "/a/b/", true},
      {"/S%C3%A9ance%203%20%E2%80%94%20fractions.pdf", 0, "/Séance 3 — fractions.pdf", false},
      {"/caf%c3%a9", 0, "/café", false},
      {"//a///b", 0, "/a/b", false},
      {"//", 0, "/", true},
      {"/a/./b", 0, "/a/b", false},
      {"/a/.", 0, "/a/", true},
      {"/a/b/..", 0, "/a/", true},
      {"/a/b/../c", 0, "/a/c", false},
      {"/a/%2e%2E/b", 0, "/b", false},
      {"/a/%2e/b", 0, "/a/b", false},
      {"/a/..", 0, "/", true},
      {"/...", 0, "/...", false},
      {"/a.b/c-d_e~f!$&'()*+,;=:@", 0, "/a.b/c-d_e~f!$&'()*+,;=:@", false},
      {"/a./b.", 0, "/a./b.", false},
      {"/.well-known/x", 0, "/.well-known/x", false},
      {"/a/.b", 0, "/a/.b", false},
      {"/..a", 0, "/..a", false},
      {"/a%25b", 0, "/a%b", false},
      {"/a%3Fb", 0, "/a?b", false},
      {"/%2e%2e/etc/passwd", 400, "", false},
      {"/../x", 400, "", false},
      {"/..", 400, "", false},
      {"/a/b/../../../x", 400, "", false},
      {"/a/../..", 400, "", false},
      {"/a/%2F", 400, "", false},
      {"/a%2fb", 400, "", false},
      {"/a\\b", 400, "", false},
      {"/a%5Cb", 400, "", false},
      {"/a%5cb", 400, "", false},
      {"/a%00b", 400, "", false},
      {"/a%0Ab", 400, "", false},
      {"/a%7Fb", 400, "", false},
      {"/a\x01" "b", 400, "", false},
      {"/a%", 400, "", false},
      {"/a%2", 400, "", false},
      {"/a%zz", 400, "", false},
      {"/a%%41", 400, "", false},
      {"/%C3", 400, "", false},            // truncated UTF-8
      {"/%C0%AF", 400, "", false},         // overlong '/'
      {"/%ED%A0%80", 400, "", false},      // UTF-16 surrogate
      {"/%F4%90%80%80", 400, "", false},   // above U+10FFFF
      {"/%FF", 400, "", false},
      {"/a#frag", 400, "", false},
      {"a/b", 400, "", false},
      {"host:443", 400, "", false},
      {"example.org:443", 400, "", false},
      {"", 400, "", false},
      {"ftp://a/b", 400, "", false},
      {"http://", 400, "", false},
      {"http://user@a/b", 400, "", false},
      {"http:/a", 400, "", false},
  };
  for (const Row& row : rows) {
    const Normalized n = normalize(row.target);
    EXPECT_EQ(n.t.status, row.status) << row.target << " (" << n.t.reason << ")";
    if (row.status == 0 && n.t.status == 0) {
      EXPECT_EQ(n.t.path, row.path) << row.target;
      EXPECT_EQ(n.t.trailing_slash, row.trailing_slash) << row.target;
    }
  }
}

TEST(TargetNormalizer, SplitsTheQueryOffRaw) {
  // The query is a view into the target, so the targets outlive the checks.
  const std::string target = "/a%20b?v=%20x&y=/../";
  const Normalized n = normalize(target);
  ASSERT_EQ(n.t.status, 0);
  EXPECT_EQ(n.t.path, "/a b");
  EXPECT_EQ(n.t.query, "v=%20x&y=/../");
  const std::string empty_query = "/a?";
  EXPECT_EQ(normalize(empty_query).t.query, "");
  const std::string no_query = "/a";
  EXPECT_EQ(normalize(no_query).t.query, "");
}

TEST(TargetNormalizer, AbsoluteFormYieldsAuthorityAndPath) {
  struct AbsRow { std::string target; std::string authority; std::string path; std::string query; };
  const AbsRow rows[] = {
      {"http://example.org/a/b", "example.org", "/a/b", ""},
      {"HTTPS://Example.org:8443/a?q=1", "Example.org:8443", "/a", "q=1"},
      {"http://example.org", "example.org", "/", ""},
      {"http://example.org?x", "example.org", "/", "x"},
      {"http://[::1]:80/%41", "[::1]:80", "/A", ""},
  };
  for (const AbsRow& row : rows) {
    const Normalized n = normalize(row.target);
    ASSERT_EQ(n.t.status, 0) << row.target << " (" << n.t.reason << ")";
    EXPECT_EQ(n.authority, row.authority) << row.target;
    EXPECT_EQ(n.t.path, row.path) << row.target;
    EXPECT_EQ(n.t.query, row.query) << row.target;
  }
}

TEST(TargetNormalizer, OriginFormLeavesAuthorityEmpty) {
  const Normalized n = normalize("/a");
  EXPECT_TRUE(n.authority.empty());
}

TEST(TargetNormalizer, AsteriskFormIsFlagged) {
  const Normalized n = normalize("*");
  EXPECT_EQ(n.t.status, 0);
  EXPECT_TRUE(n.t.asterisk);
  EXPECT_TRUE(n.t.path.empty());
  EXPECT_FALSE(normalize("/").t.asterisk);
  EXPECT_EQ(normalize("**").t.status, 400);
}

TEST(TargetNormalizer, HostValidation) {
  const std::pair<std::string, bool> rows[] = {
      {"example.org", true},     {"EXAMPLE.org:80", true}, {"127.0.0.1", true},
      {"127.0.0.1:8080", true},  {"[::1]", true},          {"[2001:db8::1]:443", true},
      {"a-b_c~d", true},         {"%41b", true},           {"a:65535", true},
      {"", false},               {"a:", false},            {"a:65536", false},
      {"a:123456", false},       {"a:8x", false},          {":80", false},
      {"user@a", false},         {"a b", false},           {"a\tb", false},
      {"a\r\nb", false},         {"a\0b"s, false},         {"[::1", false},
      {"[]", false},             {"[::1]x", false},        {"[::1]:", false},
      {"[g::1]", false},         {"a[b]", false},          {"a/b", false},
      {"%4", false},             {"caf\xc3\xa9", false},   {std::string(256, 'a'), false},
      {std::string(255, 'a'), true},
  };
  for (const auto& [host, valid] : rows) {
    EXPECT_EQ(is_valid_host(host), valid) << host;
  }
}

}  // namespace
}  // namespace relais::http
