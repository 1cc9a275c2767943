// Signed publications against a real edge and a scripted origin (issue 23):
// each attack on the origin's files, and what the edge did and kept serving.
// The origin is a TestOrigin serving a publish output that the test edits
// as an attacker holding the origin host (but not the publisher's key) would.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>

#include <openssl/evp.h>

#include "origin-sync/blob_writer.h"
#include "origin-sync/dictionary_delta.h"
#include "origin-sync/publish_signing.h"
#include "tests/integration/client/raw_client.h"
#include "tests/integration/origin_sync_support.h"
#include "tests/unit/origin-sync/signed_manifest.h"

namespace relais::testing {
namespace {

std::string page(int n) {
  std::string s = "<!doctype html><title>Leçon " + std::to_string(n) + "</title>";
  for (int i = 0; i < 60; ++i) s += "<p>Version " + std::to_string(n) + ", ligne " + std::to_string(i) + "</p>\n";
  return s;
}

class SignedEdge : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string k : {"k1", "k2"})
      ASSERT_EQ(relais_sync({"keygen", dir.file(k + ".key"), dir.file(k + ".pub")}).exit_code, 0);
    publish(page(1), "k1");
    origin = std::make_unique<TestOrigin>(pub);
  }

  void publish(const std::string& page_bytes, const std::string& key) {
    dir.write("src/page.html", page_bytes);
    dir.write("src/fixe.txt", "fixe\n");
    ProcessResult r = relais_sync({"publish", dir.file("src"), pub, "--quiet", "--sign-key", dir.file(key + ".key")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::unique_ptr<Subprocess> start_edge(std::vector<std::string> keys = {"k1"}, bool with_origin = true) {
    std::vector<std::string> argv = {RELAIS_EDGE_BIN, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                                     "--store", store, "--workers", "1", "--memory-cache", "8M", "--access-log", "off",
                                     "--sync-interval", "100ms", "--sync-retries", "0"};
    if (with_origin) argv.insert(argv.end(), {"--origin", origin->url()});
    for (const std::string& k : keys) argv.insert(argv.end(), {"--trusted-key", dir.file(k + ".pub")});
    auto p = std::make_unique<Subprocess>(argv);
    auto http = p->wait_for_line("listening http 127.0.0.1:");
    auto admin = p->wait_for_line("listening admin 127.0.0.1:");
    EXPECT_TRUE(http && admin) << p->stderr_text();
    if (http) port = static_cast<std::uint16_t>(std::stoi(*http));
    if (admin) admin_port = static_cast<std::uint16_t>(std::stoi(*admin));
    return p;
  }

  std::string body_of(const std::string& path) {
    auto r = http_get(port, path, {"Accept-Encoding: identity"});
    return r && r->status == 200 ? r->body : "<" + std::to_string(r ? r->status : -1) + ">";
  }
  std::string admin(const std::string& path) {
    auto r = http_get(admin_port, path);
    return r ? std::to_string(r->status) + " " + r->body : "<no answer>";
  }

  // What an attacker on the origin host does: new manifest bytes, the XXH3
  // checksum recomputed so that only the signature can tell. Renamed into
  // place so that the origin never serves half a file.
  void replace_manifest(const std::string& text) {
    dir.write("attack.tmp", text);
    std::filesystem::rename(dir.file("attack.tmp"), pub + "/manifest");
  }
  std::string manifest() const { return read_file(pub + "/manifest"); }
  static std::string replace_line(std::string text, const std::string& prefix, const std::string& line) {
    const std::size_t at = text.find("\n" + prefix) + 1;
    return text.replace(at, text.find('\n', at) - at, line);
  }

  TempDir dir;
  std::string pub = dir.file("pub");
  std::string store = dir.file("store");
  std::unique_ptr<TestOrigin> origin;
  std::uint16_t port = 0, admin_port = 0;
};

TEST_F(SignedEdge, AManifestEditedWithItsChecksumRecomputedIsRefusedAndTheOldCatalogServed) {
  auto edge = start_edge();
  ASSERT_TRUE(edge->wait_for_line("catalog generation 1")) << edge->stderr_text();
  // Defacement: a blob of the attacker's, named by its true XXH3, under the lesson's path.
  const std::string defaced = "<h1>pirated</h1>";
  BlobWriter writer(pub);
  ASSERT_TRUE(writer.prepare().ok());
  ASSERT_TRUE(writer.write(hash_bytes(defaced), defaced).ok());
  const Manifest m = read_published_manifest(pub);
  const ManifestEntry* e = find_entry(m, "page.html");
  ASSERT_NE(e, nullptr);
  replace_manifest(test::recompute_end(replace_line(manifest(), "file\tpage.html",
      "file\tpage.html\t" + e->content_type + "\t" + std::to_string(e->last_modified) + "\tidentity:" +
      hash_bytes(defaced).hex() + ":" + std::to_string(defaced.size()))));
  ASSERT_TRUE(edge->wait_for_stderr_text("failed (untrusted)")) << edge->stderr_text();
  EXPECT_NE(edge->stderr_text().find("does not verify"), std::string::npos) << edge->stderr_text();
  EXPECT_EQ(body_of("/page.html"), page(1));
  EXPECT_FALSE(std::filesystem::exists(blob_path(store, hash_bytes(defaced))));  // refused before any fetch
}

TEST_F(SignedEdge, APathPointedAtAnotherExistingBlobIsRefused) {
  auto edge = start_edge();
  ASSERT_TRUE(edge->wait_for_line("catalog generation 1")) << edge->stderr_text();
  const Manifest m = read_published_manifest(pub);
  const ManifestEntry* fixe = find_entry(m, "fixe.txt");
  const ManifestEntry* lesson = find_entry(m, "page.html");
  ASSERT_TRUE(fixe && lesson);
  // Mix and match: every blob named is genuine and signed, the pairing is not.
  replace_manifest(test::recompute_end(replace_line(manifest(), "file\tpage.html",
      "file\tpage.html\t" + lesson->content_type + "\t" + std::to_string(lesson->last_modified) + "\tidentity:" +
      fixe->identity().hash.hex() + ":" + std::to_string(fixe->identity().size))));
  ASSERT_TRUE(edge->wait_for_stderr_text("failed (untrusted)")) << edge->stderr_text();
  EXPECT_EQ(body_of("/page.html"), page(1));
  EXPECT_EQ(body_of("/fixe.txt"), "fixe\n");
}

TEST_F(SignedEdge, ABlobReplacedAtTheOriginIsRefusedBeforeItIsVisible) {
  auto edge = start_edge();
  ASSERT_TRUE(edge->wait_for_line("catalog generation 1")) << edge->stderr_text();
  // The next publication's lesson is served with other bytes by the origin.
  const std::string new_blob = hash_bytes(page(2)).hex();
  origin->corrupt(new_blob);
  publish(page(2), "k1");
  ASSERT_TRUE(edge->wait_for_stderr_text("failed (blob_verify)")) << edge->stderr_text();
  EXPECT_EQ(body_of("/page.html"), page(1));
  EXPECT_FALSE(std::filesystem::exists(blob_path(store, hash_bytes(page(2)))));
  // Once the origin serves the right bytes, the signed publication goes in.
  origin->clear_faults();
  ASSERT_TRUE(edge->wait_for_line("catalog generation 2")) << edge->stderr_text();
  EXPECT_EQ(body_of("/page.html"), page(2));
}

TEST_F(SignedEdge, AnOlderSignedManifestServedAgainIsRefusedAlsoAfterARestart) {
  const std::string generation_1 = manifest();
  {
    auto edge = start_edge();
    ASSERT_TRUE(edge->wait_for_line("catalog generation 1")) << edge->stderr_text();
    publish(page(2), "k1");
    ASSERT_TRUE(edge->wait_for_line("catalog generation 2")) << edge->stderr_text();
    replace_manifest(generation_1);  // validly signed, once: a rollback
    ASSERT_TRUE(edge->wait_for_stderr_text("failed (rollback)")) << edge->stderr_text();
    EXPECT_EQ(body_of("/page.html"), page(2));
  }
  // The floor is in the store: a restarted edge refuses the old one too.
  auto edge = start_edge();
  ASSERT_TRUE(edge->wait_for_line("catalog generation 2")) << edge->stderr_text();
  ASSERT_TRUE(edge->wait_for_stderr_text("failed (rollback)")) << edge->stderr_text();
  EXPECT_EQ(body_of("/page.html"), page(2));
}

TEST_F(SignedEdge, AManifestSignedByAnUntrustedKeyIsRefused) {
  auto edge = start_edge();
  ASSERT_TRUE(edge->wait_for_line("catalog generation 1")) << edge->stderr_text();
  publish(page(2), "k2");
  ASSERT_TRUE(edge->wait_for_stderr_text("which is not trusted")) << edge->stderr_text();
  EXPECT_EQ(body_of("/page.html"), page(1));
}

TEST_F(SignedEdge, ATruncatedSignatureIsRefused) {
  auto edge = start_edge();
  ASSERT_TRUE(edge->wait_for_line("catalog generation 1")) << edge->stderr_text();
  std::string text = manifest();  // the publication in service, its signature cut short
  const std::size_t eol = text.find('\n', text.find("\nsignature\t") + 1);
  replace_manifest(test::recompute_end(text.erase(eol - 20, 20)));
  ASSERT_TRUE(edge->wait_for_stderr_text("manifest signature record is malformed")) << edge->stderr_text();
  EXPECT_EQ(body_of("/page.html"), page(1));
}

TEST_F(SignedEdge, AnExpiredPublicationIsServedWithHealthDegradedUntilAFreshOneArrives) {
  // A publication signed two days ago, valid for one: what a frozen origin offers.
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  Manifest m = read_published_manifest(pub);
  m.published_at = now - 2 * 86400;
  m.minor = kSignedManifestMinorVersion;
  auto key = SigningKey::load(dir.file("k1.key"));
  ASSERT_TRUE(key.ok()) << key.error().message;
  auto text = serialize_signed_manifest(m, pub, ManifestTrust{}, *key, now - 86400, 1);
  ASSERT_TRUE(text.ok()) << text.error().message;
  replace_manifest(*text);

  auto edge = start_edge();
  ASSERT_TRUE(edge->wait_for_line("catalog generation 1")) << edge->stderr_text();
  EXPECT_EQ(body_of("/page.html"), page(1));  // availability first
  ASSERT_TRUE(edge->wait_for_stderr_text("still serving it")) << edge->stderr_text();
  EXPECT_TRUE(admin("/healthz").starts_with("200 degraded generation=1")) << admin("/healthz");
  const std::string metrics = admin("/metrics");
  EXPECT_NE(metrics.find("relais_publication_expired{site=\"default\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("relais_publication_age_seconds{site=\"default\"} 1728"), std::string::npos);  // ~172800 s

  publish(page(2), "k1");  // the publisher is back: a fresh publication
  ASSERT_TRUE(edge->wait_for_line("catalog generation 2")) << edge->stderr_text();
  ASSERT_TRUE(edge->wait_for_stderr_text("no longer degraded")) << edge->stderr_text();
  EXPECT_TRUE(admin("/healthz").starts_with("200 ok generation=2")) << admin("/healthz");
}

TEST_F(SignedEdge, RotationEdgesTrustOldAndNewThenRetireTheOld) {
  {
    auto edge = start_edge({"k1", "k2"});
    ASSERT_TRUE(edge->wait_for_line("catalog generation 1")) << edge->stderr_text();
    publish(page(2), "k2");
    ASSERT_TRUE(edge->wait_for_line("catalog generation 2")) << edge->stderr_text();
    EXPECT_EQ(body_of("/page.html"), page(2));
  }
  auto edge = start_edge({"k2"});  // k1 retired
  ASSERT_TRUE(edge->wait_for_line("catalog generation 2")) << edge->stderr_text();
  publish(page(3), "k1");  // a stolen retired key signs nothing any more
  ASSERT_TRUE(edge->wait_for_stderr_text("which is not trusted")) << edge->stderr_text();
  EXPECT_EQ(body_of("/page.html"), page(2));
}

// Signing and dictionary deltas together (issues 22 and 23): a changed page
// gets a dcz delta, the signed trailer covers the delta blob like any
// variant (version 1.2), and the edge that trusts the key serves the delta.
TEST_F(SignedEdge, ASignedPublicationWithADeltaIsServedWithTheDelta) {
  // A lesson varied enough that brotli cannot fold it into a few bytes:
  // then a one-paragraph edit is far smaller as a delta.
  std::string lesson = "<!doctype html><title>Lecon</title>\n";
  std::uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 400; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    lesson += "<p>Exercice " + std::to_string(x % 100000) + " : " + std::to_string(x >> 40) + "</p>\n";
  }
  publish(lesson, "k1");
  auto edge = start_edge();
  ASSERT_TRUE(edge->wait_for_line("catalog generation 2")) << edge->stderr_text();
  publish(lesson + "<p>Un paragraphe de plus.</p>\n", "k1");
  const std::string text = manifest();
  ASSERT_EQ(text.rfind("relais-manifest\t1.2\n", 0), 0u) << text.substr(0, 40);
  const std::size_t delta = text.find("\ndelta\t");
  ASSERT_NE(delta, std::string::npos) << "no delta made for the changed page";
  // The dcz blob's hash is the last field's middle part: dcz:HASH:SIZE.
  const std::size_t dcz = text.find("dcz:", delta);
  ASSERT_NE(dcz, std::string::npos);
  const std::string dcz_hash = text.substr(dcz + 4, 32);
  EXPECT_NE(text.find("\nsha256\t" + dcz_hash), std::string::npos) << "the delta blob is not signed";
  ASSERT_TRUE(edge->wait_for_line("catalog generation 3")) << edge->stderr_text();
  // The dictionary the client holds: the SHA-256 of the first lesson, as
  // RFC 9842's structured byte sequence, to a loopback Host (a secure context).
  const DictionaryHash held = dictionary_hash(lesson);
  unsigned char b64[64] = {};
  const int n = EVP_EncodeBlock(b64, held.bytes.data(), static_cast<int>(held.bytes.size()));
  auto r = http_get(port, "/page.html",
                    {"Accept-Encoding: gzip, br, zstd, dcz",
                     "Available-Dictionary: :" + std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n)) + ":"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Content-Encoding"), "dcz");
}

// Found by the hostile review: whoever can write OUT edited a sha256 line
// (end line recomputed, signature now broken) and the next signed publish
// re-signed the forged digest, so every edge refused every publication.
TEST_F(SignedEdge, PublishDoesNotReuseDigestsFromAnEditedSignedManifest) {
  const Manifest m = read_published_manifest(pub);
  const ManifestEntry* fixe = find_entry(m, "fixe.txt");
  ASSERT_TRUE(fixe);
  const std::string blob = fixe->identity().hash.hex();
  replace_manifest(test::recompute_end(
      replace_line(manifest(), "sha256\t" + blob, "sha256\t" + blob + "\t" + std::string(64, 'a'))));
  publish(page(2), "k1");
  EXPECT_EQ(manifest().find("sha256\t" + blob + "\t" + std::string(64, 'a')), std::string::npos)
      << "the forged digest was signed";
  ProcessResult r = pull_from(pub, store, {"--trusted-key", dir.file("k1.pub")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// Forgetting --sign-key once would turn a signed origin unsigned, and every
// edge that trusts keys would serve the old publication until it expires.
TEST_F(SignedEdge, AnUnsignedPublishOverASignedOutputIsRefused) {
  const std::string before = manifest();
  dir.write("src/nouveau.txt", "nouveau\n");
  ProcessResult r = relais_sync({"publish", dir.file("src"), pub, "--quiet"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--sign-key"), std::string::npos) << r.err;
  EXPECT_EQ(manifest(), before);
  // Unchanged content without a key still leaves the signed manifest as it is.
  std::filesystem::remove(dir.file("src/nouveau.txt"));
  EXPECT_EQ(relais_sync({"publish", dir.file("src"), pub, "--quiet"}).exit_code, 0);
  EXPECT_EQ(manifest(), before);
}

TEST_F(SignedEdge, AnUnsignedStoreLoadsOnlyWithoutTrustedKeysAndThenWithAWarning) {
  const std::string unsigned_out = dir.file("unsigned");
  ASSERT_EQ(relais_sync({"publish", dir.file("src"), unsigned_out, "--quiet"}).exit_code, 0);
  ASSERT_EQ(pull_from(unsigned_out, store).exit_code, 0);
  {
    auto edge = start_edge({"k1"}, /*with_origin=*/false);
    ASSERT_TRUE(edge->wait_for_stderr_text("no catalog yet")) << edge->stderr_text();
    EXPECT_NE(edge->stderr_text().find("not signed"), std::string::npos);
    EXPECT_TRUE(admin("/healthz").starts_with("503")) << admin("/healthz");
  }
  auto edge = start_edge({}, /*with_origin=*/false);
  ASSERT_TRUE(edge->wait_for_line("catalog generation 1")) << edge->stderr_text();
  EXPECT_NE(edge->stderr_text().find("warning: no --trusted-key"), std::string::npos) << edge->stderr_text();
  EXPECT_EQ(body_of("/page.html"), page(1));
}

}  // namespace
}  // namespace relais::testing
