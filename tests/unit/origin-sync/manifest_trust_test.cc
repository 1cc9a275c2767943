#include "origin-sync/manifest_trust.h"

#include <gtest/gtest.h>

#include "origin-sync/manifest_blobs.h"
#include "origin-sync/publication_check.h"
#include "tests/unit/origin-sync/signed_manifest.h"

namespace relais {
namespace {

using test::fixed_key;
using test::recompute_end;
using test::sign_manifest;

ContentHash h(std::uint64_t n) { return ContentHash{n * 0x9E3779B97F4A7C15ull, ~n}; }

Manifest sample() {
  Manifest m;
  m.generation = 3;
  m.published_at = 1'700'000'000;
  m.entries.push_back({"a.html", "text/html", 1, {{Encoding::identity, h(1), 500}, {Encoding::br, h(2), 100}}});
  m.entries.push_back({"b.pdf", "application/pdf", 1, {{Encoding::identity, h(3), 900}}});
  m.entries.push_back({"c.pdf", "application/pdf", 1, {{Encoding::identity, h(3), 900}}});  // shares b's blob
  return m;
}

constexpr std::int64_t kExpires = 1'700'604'800;

TEST(ManifestTrust, ASignedManifestParsesToTheSameEntriesAndCarriesItsTrailer) {
  const std::string text = sign_manifest(sample(), fixed_key(0), kExpires);
  auto m = parse_manifest(text);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->entries, sample().entries);
  EXPECT_EQ(m->minor, kSignedManifestMinorVersion);
  auto blobs = scan_manifest_blobs(text);
  ASSERT_TRUE(blobs.ok());
  const ManifestTrust& t = blobs->trust;
  ASSERT_TRUE(t.is_signed());
  EXPECT_EQ(t.sha256.size(), 3u);
  EXPECT_EQ(*t.expires, kExpires);
  EXPECT_EQ(t.signature->key_id, fixed_key(0).key_id());
  ASSERT_NE(t.sha256_of(h(3)), nullptr);
  EXPECT_EQ(*t.sha256_of(h(3)), test::fake_sha(h(3)));
  EXPECT_EQ(t.sha256_of(h(9)), nullptr);
  EXPECT_EQ(text.substr(0, t.signed_length).find("signature"), std::string::npos);
}

TEST(ManifestTrust, AnUnsignedManifestHasNoTrailerAndStaysVersionOneZero) {
  const std::string text = serialize_manifest(sample());
  EXPECT_TRUE(text.starts_with("relais-manifest\t1.0\n"));
  auto blobs = scan_manifest_blobs(text);
  ASSERT_TRUE(blobs.ok());
  EXPECT_FALSE(blobs->trust.is_signed());
  EXPECT_TRUE(blobs->trust.sha256.empty());
}

// Each row edits a signed manifest's text and fixes its checksum: the
// scanner must refuse the trailer whatever the signature says.
struct TrailerRow {
  const char* name;
  std::function<std::string(std::string)> edit;
  const char* message;
};

std::string drop_line_starting(std::string text, const std::string& prefix) {
  const std::size_t at = text.find("\n" + prefix) + 1;
  return text.erase(at, text.find('\n', at) + 1 - at);
}

TEST(ManifestTrust, RefusesABrokenTrailerWholeTable) {
  const std::string good = sign_manifest(sample(), fixed_key(0), kExpires);
  const std::string first_sha = good.substr(good.find("\nsha256\t") + 1, good.find('\n', good.find("\nsha256\t") + 1) - good.find("\nsha256\t"));
  const TrailerRow rows[] = {
      {"blob without sha256", [](std::string t) { return drop_line_starting(t, "sha256\t"); }, "sha256 records"},
      {"sha256 repeated", [&](std::string t) { return t.insert(t.find("\nsha256\t") + 1, first_sha); }, "not sorted"},
      {"no expires", [](std::string t) { return drop_line_starting(t, "expires\t"); }, "signature record must follow"},
      {"no signature", [](std::string t) { return drop_line_starting(t, "signature\t"); }, "without its signature"},
      {"expires before published",
       [](std::string t) { return t.replace(t.find("expires\t") + 8, 10, "1600000000"); }, "expires before"},
      {"file after the trailer",
       [](std::string t) {
         return t.insert(t.find("signature\t"), "file\tz.txt\ttext/plain\t1\tidentity:" + std::string(32, 'c') + ":1\n");
       },
       "after the signed trailer"},
      {"upper-case sha256", [](std::string t) { return t.replace(t.find("\nsha256\t") + 41, 1, "A"); }, "bad hash"},
      {"truncated signature",
       [](std::string t) { const std::size_t eol = t.find('\n', t.find("signature\t")); return t.erase(eol - 10, 10); },
       "signature record is not"},
      {"trailer in a 1.0 manifest",
       [](std::string t) { return t.replace(t.find("1.2"), 3, "1.0"); }, "unknown record"},
      {"trailer in a 1.1 manifest (deltas, no signature)",
       [](std::string t) { return t.replace(t.find("1.2"), 3, "1.1"); }, "unknown record"},
  };
  for (const TrailerRow& row : rows) {
    const std::string text = recompute_end(row.edit(good));
    auto m = parse_manifest(text);
    ASSERT_FALSE(m.ok()) << row.name;
    EXPECT_NE(m.error().message.find(row.message), std::string::npos) << row.name << ": " << m.error().message;
  }
}

TEST(PublicationCheck, AcceptsTheSignerAndReadsTheStamp) {
  const std::string text = sign_manifest(sample(), fixed_key(1), kExpires);
  TrustedKeys keys({fixed_key(0).public_key(), fixed_key(1).public_key()});
  auto stamp = verify_publication(text, keys);
  ASSERT_TRUE(stamp.ok()) << stamp.error().message;
  EXPECT_EQ(stamp->generation, 3u);
  EXPECT_EQ(stamp->published, 1'700'000'000);
  EXPECT_EQ(stamp->expires, kExpires);
  EXPECT_EQ(stamp->key_id, fixed_key(1).key_id());
  EXPECT_EQ(stamp->digest, hash_bytes(text));
}

TEST(PublicationCheck, RefusesEachForgeryTable) {
  const std::string good = sign_manifest(sample(), fixed_key(0), kExpires);
  const TrustedKeys trusted({fixed_key(0).public_key()});
  std::string retyped = good;  // a path pointed at another blob, checksum recomputed
  retyped.replace(retyped.find(h(3).hex()), 32, h(1).hex());
  std::string claimed = sign_manifest(sample(), fixed_key(2), kExpires);  // signed by another key, claiming ours
  claimed.replace(claimed.find(fixed_key(2).key_id()), kKeyIdHexLength, fixed_key(0).key_id());
  const struct {
    const char* name;
    std::string text;
    const char* message;
  } rows[] = {
      {"unsigned", serialize_manifest(sample()), "not signed"},
      {"edited body, checksum recomputed", recompute_end(retyped), "does not verify"},
      {"untrusted key", sign_manifest(sample(), fixed_key(2), kExpires), "not trusted"},
      {"another key's signature under our key id", recompute_end(claimed), "does not verify"},
      {"truncated signature", good.substr(0, good.find('\n', good.find("signature\t")) - 2) + "\n" +
                                  good.substr(good.find("\nend\t") + 1), "signature record is malformed"},
      {"cut before the end line", good.substr(0, good.find("\nend\t") + 1), "not signed"},
      {"empty", "", "not signed"},
  };
  for (const auto& row : rows) {
    auto stamp = verify_publication(row.text, trusted);
    ASSERT_FALSE(stamp.ok()) << row.name;
    EXPECT_NE(stamp.error().message.find(row.message), std::string::npos) << row.name << ": " << stamp.error().message;
  }
}

}  // namespace
}  // namespace relais
