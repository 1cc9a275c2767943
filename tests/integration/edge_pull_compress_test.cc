// Compression of pulled identity text, end to end (docs/PULL_THROUGH.md,
// edge/pull/pull_compression.h): the real relais-edge in front of a scripted
// origin that sends identity. The miss is streamed as the origin sent it;
// once the variants exist (awaited on the compressed-objects metric, never a
// sleep) hits negotiate Accept-Encoding like published content.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_pull_disk_fixture.h"
#include "tests/integration/h2/h2_client.h"

namespace relais::testing {
namespace {

constexpr const char* kCompressed = "relais_pull_compressed_objects_total";

std::string lesson() {
  std::string s = "<!doctype html><title>Le\xC3\xA7on</title>\n";
  for (int i = 0; s.size() < 24 * 1024; ++i)
    s += "<p>Paragraphe " + std::to_string(i) + " : les fleuves de France, la Loire et la Seine.</p>\n";
  return s;
}

ScriptedReply page(const std::string& body, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> fields = {"Content-Type: text/html; charset=utf-8", "Cache-Control: max-age=60",
                                     "ETag: \"v1\""};
  fields.insert(fields.end(), extra.begin(), extra.end());
  return ScriptedReply::ok(body, fields);
}

class EdgePullCompress : public EdgePullDiskBase {
 protected:
  // Stores `path` with a miss (identity, as sent) and waits for its variants.
  void store_and_await(const std::string& path, double compressed) {
    auto miss = get(path, {"Accept-Encoding: br, gzip"});
    ASSERT_TRUE(miss);
    EXPECT_EQ(miss->status, 200);
    EXPECT_FALSE(miss->has_header("Content-Encoding"));  // the miss is streamed identity
    ASSERT_GE(await_metric(kCompressed, compressed), compressed);
  }
};

TEST_F(EdgePullCompress, IdentityHtmlIsServedBrZstdGzipOnceStored) {
  const std::string body = lesson();
  ScriptedOrigin origin([&](const ReceivedRequest&) { return page(body); });
  start(origin);
  store_and_await("/lecon.html", 1);
  for (const char* coding : {"br", "zstd", "gzip"}) {
    auto hit = get("/lecon.html", {std::string("Accept-Encoding: ") + coding});
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->status, 200);
    EXPECT_EQ(hit->header("Content-Encoding"), coding);
    EXPECT_EQ(hit->header("ETag"), std::string("\"v1-") + coding + "\"");  // RFC 9110 §8.8.3
    EXPECT_EQ(hit->header("Vary"), "Accept-Encoding");
    EXPECT_EQ(hit->header("Content-Length"), std::to_string(hit->body.size()));
    EXPECT_LT(hit->body.size(), body.size() / 4) << coding;
    EXPECT_EQ(decode_body(coding, hit->body, body.size()), body) << coding;
  }
  // A browser's list: the smallest acceptable, as for published content.
  auto browser = get("/lecon.html", {"Accept-Encoding: gzip, deflate, br, zstd"});
  ASSERT_TRUE(browser);
  EXPECT_NE(browser->header("Content-Encoding"), "");
  EXPECT_EQ(decode_body(browser->header("Content-Encoding"), browser->body, body.size()), body);
  // No Accept-Encoding: the identity, with the origin's tag, and Vary.
  auto plain = get("/lecon.html");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->has_header("Content-Encoding"));
  EXPECT_EQ(plain->header("ETag"), "\"v1\"");
  EXPECT_EQ(plain->header("Vary"), "Accept-Encoding");
  EXPECT_EQ(plain->body, body);
  EXPECT_EQ(origin.requests(), 1);
  EXPECT_GT(metric(edge_.admin_port, "relais_pull_compress_saved_bytes_total"), -1);
}

// RFC 9110 §13.1.2, §8.8.3: a conditional names one representation.
TEST_F(EdgePullCompress, Rfc9110_S13_1_2_TheBrTagGets304OnlyForBr) {
  const std::string body = lesson();
  ScriptedOrigin origin([&](const ReceivedRequest&) { return page(body); });
  start(origin);
  store_and_await("/lecon.html", 1);
  auto same = get("/lecon.html", {"Accept-Encoding: br", "If-None-Match: \"v1-br\""});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 304);
  EXPECT_EQ(same->header("ETag"), "\"v1-br\"");
  EXPECT_EQ(same->header("Vary"), "Accept-Encoding");
  // The identity's tag does not validate the br body, nor the br tag the identity.
  auto identity_tag = get("/lecon.html", {"Accept-Encoding: br", "If-None-Match: \"v1\""});
  ASSERT_TRUE(identity_tag);
  EXPECT_EQ(identity_tag->status, 200);
  EXPECT_EQ(identity_tag->header("Content-Encoding"), "br");
  auto br_tag = get("/lecon.html", {"If-None-Match: \"v1-br\""});
  ASSERT_TRUE(br_tag);
  EXPECT_EQ(br_tag->status, 200);
  EXPECT_EQ(br_tag->body, body);
  auto identity = get("/lecon.html", {"If-None-Match: \"v1\""});
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->status, 304);
  EXPECT_EQ(origin.requests(), 1);
}

// A Range gets the identity (pull_compression.h), but the 206 still says
// which request field chose it (RFC 9110 §12.5.5): a shared cache behind us
// must not answer a br client from it. It once carried no Vary.
TEST_F(EdgePullCompress, Rfc9110_S12_5_5_ARangeOfAnObjectWithVariantsVariesOnAcceptEncoding) {
  const std::string body = lesson();
  ScriptedOrigin origin([&](const ReceivedRequest&) { return page(body); });
  start(origin);
  store_and_await("/lecon.html", 1);
  auto part = get("/lecon.html", {"Accept-Encoding: br", "Range: bytes=0-99"});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_FALSE(part->has_header("Content-Encoding"));
  EXPECT_EQ(part->header("ETag"), "\"v1\"");
  EXPECT_EQ(part->header("Vary"), "Accept-Encoding");
  EXPECT_EQ(part->body, body.substr(0, 100));
  auto beyond = get("/lecon.html", {"Accept-Encoding: br", "Range: bytes=99999999-"});
  ASSERT_TRUE(beyond);
  EXPECT_EQ(beyond->status, 416);
  EXPECT_EQ(beyond->header("Vary"), "Accept-Encoding");
  EXPECT_EQ(origin.requests(), 1);
}

// RFC 9110 §12.5.3: identity refused and no coding held that is accepted.
TEST_F(EdgePullCompress, Rfc9110_S12_5_3_IdentityRefusedAndNothingAcceptableIs406) {
  const std::string body = lesson();
  ScriptedOrigin origin([&](const ReceivedRequest&) { return page(body); });
  start(origin);
  store_and_await("/lecon.html", 1);
  auto refused = get("/lecon.html", {"Accept-Encoding: identity;q=0, compress"});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 406);
  auto br_only = get("/lecon.html", {"Accept-Encoding: br, identity;q=0"});
  ASSERT_TRUE(br_only);
  EXPECT_EQ(br_only->status, 200);
  EXPECT_EQ(br_only->header("Content-Encoding"), "br");
}

// What is left as the origin sent it: no-transform (RFC 9111 §5.2.2.6), a
// type that does not compress, the origin's own coding, a Vary that
// nominates Accept-Encoding. The compressor works in order, so once the last
// path (eligible) has its variants the others would have had theirs.
TEST_F(EdgePullCompress, Rfc9111_S5_2_2_6_NoTransformPngCodedAndVariedAreLeftAsSent) {
  const std::string body = lesson();
  const std::string gzip_bytes = "\x1f\x8b not really gzip, but the origin says so";
  const std::map<std::string, ScriptedReply> replies = {
      {"/no-transform.html", page(body, {"Cache-Control: max-age=60, no-transform"})},
      {"/image.png", ScriptedReply::ok(body, {"Content-Type: image/png", "Cache-Control: max-age=60", "ETag: \"v1\""})},
      {"/coded.html", page(gzip_bytes, {"Content-Encoding: gzip"})},
      {"/varied.html", page(body, {"Vary: Accept-Encoding"})},
      {"/control.html", page(body)},
  };
  ScriptedOrigin origin([&](const ReceivedRequest& r) { return replies.at(r.target); });
  start(origin);
  for (const char* path : {"/no-transform.html", "/image.png", "/coded.html", "/varied.html"}) {
    auto miss = get(path, {"Accept-Encoding: br"});
    ASSERT_TRUE(miss);
    EXPECT_EQ(miss->status, 200) << path;
  }
  store_and_await("/control.html", 1);
  auto control = get("/control.html", {"Accept-Encoding: br"});
  ASSERT_TRUE(control);
  EXPECT_EQ(control->header("Content-Encoding"), "br");
  for (const char* path : {"/no-transform.html", "/image.png", "/varied.html"}) {
    auto hit = get(path, {"Accept-Encoding: br"});
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->status, 200) << path;
    EXPECT_FALSE(hit->has_header("Content-Encoding")) << path;
    EXPECT_EQ(hit->body, body) << path;
    EXPECT_EQ(hit->header("ETag"), "\"v1\"") << path;
  }
  auto coded = get("/coded.html", {"Accept-Encoding: br"});
  ASSERT_TRUE(coded);
  EXPECT_EQ(coded->header("Content-Encoding"), "gzip");
  EXPECT_EQ(coded->body, gzip_bytes);
  EXPECT_EQ(metric(edge_.admin_port, kCompressed), 1);
}

// pull-compress-max bounds the body compressed (0 turns it off: a unit
// test's row). The larger object is stored first, so once the smaller one
// has its variants the larger would have had its own.
TEST_F(EdgePullCompress, PullCompressMaxBoundsTheBodyCompressed) {
  const std::string big = lesson();
  const std::string small = big.substr(0, 600);
  ScriptedOrigin origin([&](const ReceivedRequest& r) { return page(r.target == "/big.html" ? big : small); });
  start(origin, {"--mode", "pull", "--pull-compress-max", "1K"});
  auto miss = get("/big.html");
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->body, big);
  store_and_await("/small.html", 1);
  auto hit = get("/big.html", {"Accept-Encoding: br"});
  ASSERT_TRUE(hit);
  EXPECT_FALSE(hit->has_header("Content-Encoding"));
  EXPECT_EQ(hit->body, big);
  auto small_hit = get("/small.html", {"Accept-Encoding: br"});
  ASSERT_TRUE(small_hit);
  EXPECT_EQ(small_hit->header("Content-Encoding"), "br");
  EXPECT_EQ(decode_body("br", small_hit->body, small.size()), small);
  EXPECT_EQ(origin.requests(), 2);
  EXPECT_EQ(metric(edge_.admin_port, kCompressed), 1);
}

TEST_F(EdgePullCompress, CodedHitOverHttp2) {
  const std::string body = lesson();
  ScriptedOrigin origin([&](const ReceivedRequest&) { return page(body); });
  start(origin);
  store_and_await("/lecon.html", 1);
  for (const char* coding : {"br", "zstd", "gzip"}) {
    const H2Response hit = h2_fetch_one(edge_.port, std::string("GET:/lecon.html|accept-encoding=") + coding);
    EXPECT_EQ(hit.status, "200");
    EXPECT_EQ(hit.header("content-encoding"), coding);
    EXPECT_EQ(hit.header("etag"), std::string("\"v1-") + coding + "\"");
    EXPECT_EQ(hit.header("vary"), "Accept-Encoding");
    EXPECT_EQ(hit.header("content-length"), std::to_string(hit.body.size()));
    EXPECT_EQ(decode_body(coding, hit.body, body.size()), body) << coding;
  }
  const H2Response same = h2_fetch_one(edge_.port, "GET:/lecon.html|accept-encoding=br|if-none-match=\"v1-br\"");
  EXPECT_EQ(same.status, "304");
  const H2Response plain = h2_fetch_one(edge_.port, "GET:/lecon.html");
  EXPECT_EQ(plain.header("content-encoding"), "");
  EXPECT_EQ(plain.body, body);
  EXPECT_EQ(origin.requests(), 1);
}

// The variants are written to the disk tier with the identity (issue 19): a
// restarted edge answers br from the disk at once, compressing nothing again.
TEST_F(EdgePullCompress, Issue19_VariantsSurviveARestartOnDisk) {
  const std::string body = lesson();
  ScriptedOrigin origin([&](const ReceivedRequest&) { return page(body); });
  start(origin);
  store_and_await("/lecon.html", 1);
  await_writes(2);  // the identity, then the same record with its variants
  ASSERT_EQ(pulled_files().size(), 1u);
  restart(origin);
  auto hit = get("/lecon.html", {"Accept-Encoding: br"});
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->status, 200);
  EXPECT_EQ(hit->header("Content-Encoding"), "br");
  EXPECT_EQ(hit->header("ETag"), "\"v1-br\"");
  EXPECT_EQ(decode_body("br", hit->body, body.size()), body);
  EXPECT_EQ(hit->header("Cache-Status").rfind("relais; hit", 0), 0u) << hit->header("Cache-Status");
  EXPECT_EQ(metric(edge_.admin_port, kCompressed), 0) << "compressed again after the restart";
  auto plain = get("/lecon.html");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->body, body);
  EXPECT_EQ(origin.requests(), 1);
}

}  // namespace
}  // namespace relais::testing
