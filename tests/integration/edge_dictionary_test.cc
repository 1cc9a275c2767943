// Compression Dictionary Transport (RFC 9842) end to end: publish v1, fetch
// it as a dictionary-capable client, publish v2, fetch it announcing v1 and
// get a dcz delta that the zstd command line decodes to v2 byte for byte.
#include <gtest/gtest.h>
#include <signal.h>

#include <openssl/evp.h>

#include <filesystem>

#include "origin-sync/blob_path.h"
#include "origin-sync/dictionary_delta.h"
#include "tests/integration/client/raw_client.h"
#include "tests/integration/origin_sync_support.h"

namespace relais::testing {
namespace {

const std::string kAccept = "Accept-Encoding: gzip, deflate, br, zstd, dcz";

std::string page(const std::string& news) {
  std::string s = "<!doctype html><meta charset=utf-8><title>Fractions</title><link rel=stylesheet href=site.css>\n";
  for (int i = 0; i < 80; ++i) s += "<p>Une fraction partage un tout en parts egales, exemple " + std::to_string(i) + ".</p>\n";
  return s + "<p class=news>" + news + "</p>\n";
}

// Available-Dictionary: an RFC 8941 byte sequence of the SHA-256.
std::string available_dictionary(const std::string& dictionary) {
  const DictionaryHash h = dictionary_hash(dictionary);
  unsigned char b64[64] = {};
  const int n = EVP_EncodeBlock(b64, h.bytes.data(), static_cast<int>(h.bytes.size()));
  return "Available-Dictionary: :" + std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n)) + ":";
}

class EdgeDictionary : public ::testing::Test {
 protected:
  void publish(const std::string& html) {
    dir.write("src/page.html", html);
    dir.write("src/site.css", css_);
    ProcessResult r = relais_sync({"publish", dir.file("src"), out, "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(pull_from(out, store).exit_code, 0);
  }
  void start_edge() {
    edge = std::make_unique<Subprocess>(std::vector<std::string>{
        RELAIS_EDGE_BIN, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--store", store, "--workers", "1",
        "--access-log", "off"});
    auto http = edge->wait_for_line("listening http 127.0.0.1:");
    ASSERT_TRUE(http) << edge->stderr_text();
    port = static_cast<std::uint16_t>(std::stoi(*http));
  }
  void reload(std::uint64_t generation) {
    edge->send_signal(SIGHUP);
    ASSERT_TRUE(edge->wait_for_line("catalog generation " + std::to_string(generation))) << edge->stderr_text();
  }
  HttpResponse get(const std::string& path, std::vector<std::string> headers) {
    auto r = http_get(port, path, headers);
    EXPECT_TRUE(r.has_value());
    return r ? *r : HttpResponse{};
  }

  TempDir dir;
  std::string out = dir.file("out");
  std::string store = dir.file("store");
  std::string css_ = "body { font-family: sans-serif; }\n";
  std::unique_ptr<Subprocess> edge;
  std::uint16_t port = 0;
};

TEST_F(EdgeDictionary, AReturningClientGetsADeltaThatZstdDecodesToTheNewVersion) {
  const std::string v1 = page("Premiere version de la lecon.");
  const std::string v2 = page("Cette semaine : trois parts sur huit d'une pizza.");
  publish(v1);
  start_edge();
  // First visit: the usual br, offered as a dictionary for its own path.
  HttpResponse first = get("/page.html", {kAccept});
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.header("Content-Encoding"), "br");
  EXPECT_EQ(first.header("Use-As-Dictionary").substr(0, 19), "match=\"/page.html\",");
  EXPECT_EQ(first.header("Use-As-Dictionary").find("id=\"" + hash_bytes(v1).hex() + "\""), 20u);

  publish(v2);
  reload(2);
  HttpResponse delta = get("/page.html", {kAccept, available_dictionary(v1)});
  ASSERT_EQ(delta.status, 200);
  EXPECT_EQ(delta.header("Content-Encoding"), "dcz");
  EXPECT_EQ(delta.header("Vary"), "accept-encoding, available-dictionary");
  EXPECT_NE(delta.header("Use-As-Dictionary").find(hash_bytes(v2).hex()), std::string::npos);
  EXPECT_EQ(std::stoull(delta.header("Content-Length")), delta.body.size());
  ASSERT_GT(delta.body.size(), kDczHeaderBytes);
  EXPECT_EQ(delta.body.substr(0, 8), std::string("\x5e\x2a\x4d\x18\x20\x00\x00\x00", 8));
  EXPECT_LT(delta.body.size(), get("/page.html", {kAccept}).body.size());  // below br, or not published

  // Revalidating the delta: 304, varying on both fields like the 200.
  HttpResponse again = get("/page.html", {kAccept, available_dictionary(v1), "If-None-Match: " + delta.header("ETag")});
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.header("Vary"), "accept-encoding, available-dictionary");

  // The zstd command line, with v1 as its dictionary, after the 40-byte header.
  dir.write("v1.html", v1);
  dir.write("frame.zst", delta.body.substr(kDczHeaderBytes));
  ProcessResult z = run_process({"zstd", "-d", "-q", "-f", "-D", dir.file("v1.html"), "-o", dir.file("v2.html"),
                                 dir.file("frame.zst")});
  ASSERT_EQ(z.exit_code, 0) << z.err;
  EXPECT_EQ(read_file(dir.file("v2.html")), v2);
}

// All the Vary values of a response, in order.
std::vector<std::string> vary_values(const HttpResponse& r) {
  std::vector<std::string> out;
  for (const auto& [name, value] : r.headers)
    if (name == "Vary" || name == "vary") out.push_back(value);
  return out;
}

// Found by the hostile review: a 304 for the br variant of a file with
// deltas left available-dictionary out of its Vary (the 200 has it), and a
// bad or missing delta blob made every returning client's request a 503.
TEST_F(EdgeDictionary, A304VariesLikeItsFullResponseAndABadDeltaBlobFallsBackToTheVariant) {
  const std::string v1 = page("un");
  publish(v1);
  publish(page("deux"));
  start_edge();
  HttpResponse full = get("/page.html", {kAccept});
  ASSERT_EQ(full.status, 200);
  ASSERT_EQ(full.header("Content-Encoding"), "br");
  HttpResponse revalidated = get("/page.html", {kAccept, "If-None-Match: " + full.header("ETag")});
  EXPECT_EQ(revalidated.status, 304);
  EXPECT_EQ(vary_values(revalidated), vary_values(full));

  // The delta blob goes missing before anyone asked for it (so no tier holds it).
  const std::string manifest_text = read_file(store + "/manifest");
  const std::size_t dcz = manifest_text.find("\tdcz:");
  ASSERT_NE(dcz, std::string::npos);
  std::filesystem::remove(blob_path(store, *ContentHash::from_hex(manifest_text.substr(dcz + 5, 32))));
  HttpResponse fallback = get("/page.html", {kAccept, available_dictionary(v1)});
  EXPECT_EQ(fallback.status, 200);
  EXPECT_EQ(fallback.header("Content-Encoding"), "br");
  EXPECT_EQ(fallback.body, full.body);
  EXPECT_EQ(vary_values(fallback), vary_values(full));
}

TEST_F(EdgeDictionary, AnyOtherRequestGetsTheFullResponse) {
  const std::string v1 = page("un");
  publish(v1);
  publish(page("deux"));
  start_edge();
  const std::string good = available_dictionary(v1);
  const std::string b64 = good.substr(good.find(':') + 3, 44);
  struct Row {
    const char* name;
    std::vector<std::string> headers;
  } rows[] = {
      {"no dictionary", {kAccept}},
      {"garbage", {kAccept, "Available-Dictionary: :garbage:"}},
      {"empty", {kAccept, "Available-Dictionary:"}},
      {"no colons", {kAccept, "Available-Dictionary: " + b64}},
      {"a token, not bytes", {kAccept, "Available-Dictionary: \"" + b64 + "\""}},
      {"with a parameter", {kAccept, "Available-Dictionary: :" + b64 + ":;a=1"}},
      {"truncated", {kAccept, "Available-Dictionary: :" + b64.substr(0, 40) + ":"}},
      {"unknown dictionary", {kAccept, available_dictionary("autre chose")}},
      {"dcz not accepted", {"Accept-Encoding: br, zstd", good}},
      {"dcz refused", {"Accept-Encoding: br, dcz;q=0", good}},
      {"a range", {kAccept, good, "Range: bytes=0-9"}},
  };
  for (const Row& row : rows) {
    HttpResponse r = get("/page.html", row.headers);
    EXPECT_TRUE(r.status == 200 || r.status == 206) << row.name << ": " << r.status;
    EXPECT_NE(r.header("Content-Encoding"), "dcz") << row.name;
  }
  EXPECT_EQ(get("/page.html", {kAccept, good}).header("Content-Encoding"), "dcz");  // the control
}

TEST_F(EdgeDictionary, NeitherOfferedNorUsedOutsideASecureContext) {
  const std::string v1 = page("un");
  publish(v1);
  publish(page("deux"));
  start_edge();
  RawClient client(port);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send("GET /page.html HTTP/1.1\r\nHost: cours.example.org\r\n" + kAccept + "\r\n" +
                          available_dictionary(v1) + "\r\n\r\n"));
  auto r = client.read_response(false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Content-Encoding"), "br");
  EXPECT_FALSE(r->has_header("Use-As-Dictionary"));
}

}  // namespace
}  // namespace relais::testing
