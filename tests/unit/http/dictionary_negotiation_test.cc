#include "edge/http/dictionary_negotiation.h"

#include <gtest/gtest.h>

#include "edge/http/response_buffer.h"

namespace relais::http {
namespace {

// base64 of the 32 bytes 0x00..0x1f (RFC 4648).
constexpr std::string_view kB64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

DictionaryHash counting() {
  DictionaryHash h;
  for (std::size_t i = 0; i < h.bytes.size(); ++i) h.bytes[i] = static_cast<std::uint8_t>(i);
  return h;
}

TEST(DictionaryNegotiation, ParsesAByteSequenceOfASha256) {
  EXPECT_EQ(parse_available_dictionary(":" + std::string(kB64) + ":"), counting());
  EXPECT_EQ(parse_available_dictionary("  :" + std::string(kB64) + ":\t"), counting());
}

// One row per malformed value: each is ignored (nullopt), never an error.
TEST(DictionaryNegotiation, IgnoresAnythingElse) {
  const std::string b64(kB64);
  const std::string rows[] = {
      "",
      ":",
      "::",
      b64,                                   // no colons
      ":" + b64,                             // no closing colon
      "\"" + b64 + "\"",                     // an sf-string
      ":" + b64 + ":;a=1",                   // parameters
      ":" + b64.substr(0, 43) + ":",         // one short
      ":" + b64.substr(0, 43) + "==:",       // one long
      ":" + b64.substr(0, 42) + "-=:",       // base64url alphabet
      ":" + b64.substr(0, 42) + "h=:",       // non-zero unused bits (not canonical)
      ":" + std::string(44, 'A') + ":",      // no padding
      ":" + b64 + ":, :" + b64 + ":",        // a list
      ":" + std::string(88, 'A') + ":",      // a SHA-512
  };
  for (const std::string& value : rows) EXPECT_FALSE(parse_available_dictionary(value).has_value()) << value;
}

TEST(DictionaryNegotiation, AcceptsDczOnlyWithAPositiveQ) {
  EXPECT_TRUE(accepts_coding("gzip, deflate, br, zstd, dcb, dcz", "dcz"));
  EXPECT_TRUE(accepts_coding("DCZ", "dcz"));
  EXPECT_TRUE(accepts_coding("br;q=1, dcz ; q=0.5", "dcz"));
  EXPECT_FALSE(accepts_coding("br, zstd", "dcz"));
  EXPECT_FALSE(accepts_coding("dczz, xdcz", "dcz"));
  EXPECT_FALSE(accepts_coding("dcz;q=0", "dcz"));
  EXPECT_FALSE(accepts_coding("dcz;q=0.000", "dcz"));
  EXPECT_FALSE(accepts_coding("", "dcz"));
}

TEST(DictionaryNegotiation, SecureContextIsTlsOrLoopback) {
  EXPECT_TRUE(secure_context(true, "cours.example.org"));
  EXPECT_TRUE(secure_context(false, "localhost:8080"));
  EXPECT_TRUE(secure_context(false, "LOCALHOST"));
  EXPECT_TRUE(secure_context(false, "127.0.0.1:80"));
  EXPECT_TRUE(secure_context(false, "[::1]:8443"));
  EXPECT_FALSE(secure_context(false, "cours.example.org"));
  EXPECT_FALSE(secure_context(false, "localhost.example.org"));
  EXPECT_FALSE(secure_context(false, "[::2]"));
}

TEST(DictionaryNegotiation, PolicyByPathPrefixOrContentType) {
  DictionaryPolicy p;
  EXPECT_TRUE(p.offers("/a.html", "text/html; charset=utf-8"));
  EXPECT_TRUE(p.offers("/js/cours.js", "text/javascript; charset=utf-8"));
  EXPECT_FALSE(p.offers("/fiche.pdf", "application/pdf"));
  p.path_prefixes = {"/data/"};
  EXPECT_TRUE(p.offers("/data/progression.json", "application/json"));
  p.content_types.clear();
  EXPECT_FALSE(p.offers("/a.html", "text/html"));
}

TEST(DictionaryNegotiation, MatchPatternIsTheEscapedPath) {
  Manifest m;
  m.entries.push_back({"a b*.html", "text/html", 1, {{Encoding::identity, ContentHash{1, 2}, 10}}});
  auto catalog = Catalog::from_manifest(m).value();
  DictionaryOffer offer;
  offer.offer = true;
  offer.request_path = "/a b*.html";
  Response r(200, "relais", "now");
  char space[kUseAsDictionaryMax];
  add_dictionary_fields(r, offer, *catalog->find("a b*.html"), space);
  const std::string id = ContentHash{1, 2}.hex();
  ASSERT_EQ(r.fields().size(), 1u);
  EXPECT_EQ(r.fields()[0].name->h1, "Use-As-Dictionary");
  // '*' is URLPattern syntax: backslash-escaped (the backslash itself
  // escaped in the sf-string); the space percent-encoded as browsers send it.
  EXPECT_EQ(r.fields()[0].value(), "match=\"/a%20b\\\\*.html\", id=\"" + id + "\"");

  // A path whose pattern does not fit the value space gets no offer.
  Response long_path(200, "relais", "now");
  const std::string path = "/" + std::string(kUseAsDictionaryMax, 'a');
  offer.request_path = path;
  add_dictionary_fields(long_path, offer, *catalog->find("a b*.html"), space);
  EXPECT_TRUE(long_path.fields().empty());
}

}  // namespace
}  // namespace relais::http
