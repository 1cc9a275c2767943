// Responder: one parsed request against a catalog and a temp store, the
// response rendered to bytes. Covers the branches a socket test reaches only
// with effort: no catalog, 406, 416, If-Range by date, Range on HEAD,
// the Server and Date fields, the query allow-list and the redirect.
#include "edge/http/responder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "edge/cache/catalog.h"
#include "edge/cache/tiered_cache.h"
#include "edge/http/http_date.h"
#include "edge/proto/h1/request_parser.h"
#include "edge/proto/h1/response_writer.h"
#include "origin-sync/blob_path.h"
#include "origin-sync/content_hash.h"
#include "tests/unit/origin-sync/scratch_dir.h"

namespace relais::http {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kModified = 1700000000;  // Tue, 14 Nov 2023 22:13:20 GMT
constexpr char kDate[] = "Wed, 02 Dec 2026 08:00:00 GMT";

class ResponderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<BlobStore>(scratch_.path(), 4);
    cache_ = std::make_unique<TieredCache>(*store_, memory_);
    Manifest m;
    m.generation = 1;
    m.entries.push_back(entry("cours/lecon.html", "text/html; charset=utf-8", lesson_, "br", lesson_br_));
    m.entries.push_back(entry("cours/index.html", "text/html; charset=utf-8", "<p>cours</p>"));
    m.entries.push_back(entry("page.html?lang=fr", "text/html; charset=utf-8", "<p>français</p>"));
    m.entries.push_back(entry("page.html", "text/html; charset=utf-8", "<p>default</p>"));
    catalog_ = Catalog::from_manifest(std::move(m)).value();
    settings_.server_name = "relais-test";
    settings_.multipart_boundary = "BOUNDARY";
    settings_.cache_control.html = "public, max-age=60";
    settings_.cache_control.fallback = "public, max-age=86400";
  }
  Variant put(const std::string& bytes, Encoding e) {
    Variant v{e, hash_bytes(std::string_view(bytes)), bytes.size()};
    scratch_.write(fs::relative(blob_path(scratch_.path(), v.hash), scratch_.path()).string(), bytes);
    return v;
  }
  ManifestEntry entry(const std::string& path, const std::string& type, const std::string& bytes,
                      const std::string& encoded_as = "", const std::string& encoded = "") {
    ManifestEntry e{path, type, kModified, {put(bytes, Encoding::identity)}};
    if (encoded_as == "br") e.variants.push_back(put(encoded, Encoding::br));
    return e;
  }

  // The whole response as the client would read it.
  std::string respond(const std::string& head, bool with_catalog = true,
                      std::vector<std::string> query_keys = {}) {
    ParserLimits limits;
    std::vector<HeaderField> fields(limits.max_headers);
    Request request;
    const ParseOutcome parsed = parse_request_head(head, limits, fields.data(), request);
    EXPECT_EQ(parsed.state, ParseState::complete) << head;
    ResponderSettings settings = settings_;
    settings.query_keys = std::move(query_keys);
    Responder responder(settings);
    RequestContext context{with_catalog ? catalog_.get() : nullptr, cache_.get(), kDate, false};
    std::vector<char> scratch(request.target.size());
    ResponseBuffer out;
    ResponseWriter writer(out, nullptr, request.version_minor);  // rendered as HTTP/1.1 bytes
    last_ = responder.respond(request, context, scratch, writer);
    return render(out);
  }
  static std::string render(ResponseBuffer& out) {
    std::string bytes;
    for (const Segment& s : out.segments()) {
      if (s.kind == Segment::Kind::text) {
        bytes.append(out.text_data() + s.offset, s.length);
      } else if (s.kind == Segment::Kind::memory) {
        bytes.append(s.memory->bytes.data() + s.offset, s.length);
      } else {
        std::string part(s.length, '\0');
        EXPECT_EQ(::pread(s.file->fd.get(), part.data(), part.size(), static_cast<off_t>(s.offset)),
                  static_cast<ssize_t>(part.size()));
        bytes += part;
      }
    }
    return bytes;
  }
  static std::string body_of(const std::string& response) { return response.substr(response.find("\r\n\r\n") + 4); }
  static bool has(const std::string& response, const std::string& line) {
    return response.find("\r\n" + line + "\r\n") != std::string::npos;
  }

  const std::string lesson_ = std::string(2000, 'a') + "<p>leçon</p>";
  const std::string lesson_br_ = "brotli-bytes";
  ScratchDir scratch_;
  std::unique_ptr<BlobStore> store_;
  MemoryTier memory_{1 << 20, 64 * 1024};
  std::unique_ptr<TieredCache> cache_;
  std::shared_ptr<const Catalog> catalog_;
  ResponderSettings settings_;
  ResponseSummary last_;
};

TEST_F(ResponderTest, FullResponseCarriesEveryRepresentationField) {
  const std::string r = respond("GET /cours/lecon.html HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\n\r\n");
  EXPECT_TRUE(r.starts_with("HTTP/1.1 200 OK\r\n")) << r;
  EXPECT_TRUE(has(r, "Server: relais-test")) << r;
  EXPECT_TRUE(has(r, std::string("Date: ") + kDate)) << r;
  EXPECT_TRUE(has(r, "Content-Type: text/html; charset=utf-8")) << r;
  EXPECT_TRUE(has(r, "Content-Encoding: br")) << r;
  EXPECT_TRUE(has(r, "Vary: Accept-Encoding")) << r;
  EXPECT_TRUE(has(r, "Last-Modified: Tue, 14 Nov 2023 22:13:20 GMT")) << r;
  EXPECT_TRUE(has(r, "X-Content-Type-Options: nosniff")) << r;
  EXPECT_TRUE(has(r, "Cache-Control: public, max-age=60")) << r;
  EXPECT_EQ(body_of(r), lesson_br_);
  EXPECT_EQ(last_.status, 200);
  EXPECT_EQ(last_.body_bytes, lesson_br_.size());
}

TEST_F(ResponderTest, WithoutACatalogEveryLookupIs503WithRetryAfter) {
  const std::string r = respond("GET /cours/lecon.html HTTP/1.1\r\nHost: x\r\n\r\n", /*with_catalog=*/false);
  EXPECT_TRUE(r.starts_with("HTTP/1.1 503 ")) << r;
  EXPECT_TRUE(has(r, "Retry-After: 5")) << r;
  EXPECT_TRUE(has(r, "Cache-Control: no-store")) << r;
}

TEST_F(ResponderTest, NothingAcceptableIs406) {
  const std::string r = respond("GET /cours/lecon.html HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, identity;q=0\r\n\r\n");
  EXPECT_TRUE(r.starts_with("HTTP/1.1 406 ")) << r;
}

TEST_F(ResponderTest, IfRangeByDateMatchesOnlyTheExactLastModified) {
  const std::string same = respond(
      "GET /cours/lecon.html HTTP/1.1\r\nHost: x\r\nRange: bytes=0-3\r\nIf-Range: Tue, 14 Nov 2023 22:13:20 GMT\r\n\r\n");
  EXPECT_TRUE(same.starts_with("HTTP/1.1 206 ")) << same;
  EXPECT_EQ(body_of(same), lesson_.substr(0, 4));
  const std::string older = respond(
      "GET /cours/lecon.html HTTP/1.1\r\nHost: x\r\nRange: bytes=0-3\r\nIf-Range: Tue, 14 Nov 2023 22:13:19 GMT\r\n\r\n");
  EXPECT_TRUE(older.starts_with("HTTP/1.1 200 ")) << older;
  EXPECT_EQ(body_of(older), lesson_);
}

TEST_F(ResponderTest, UnsatisfiableRangeIs416WithTheSize) {
  const std::string r = respond("GET /cours/lecon.html HTTP/1.1\r\nHost: x\r\nRange: bytes=999999-\r\n\r\n");
  EXPECT_TRUE(r.starts_with("HTTP/1.1 416 ")) << r;
  EXPECT_TRUE(has(r, "Content-Range: bytes */" + std::to_string(lesson_.size()))) << r;
}

// RFC 9110 §14.2: range handling is defined for GET only; a Range on HEAD is ignored.
TEST_F(ResponderTest, HeadIgnoresRangeAndSendsNoBody) {
  const std::string r = respond("HEAD /cours/lecon.html HTTP/1.1\r\nHost: x\r\nRange: bytes=10-19\r\n\r\n");
  EXPECT_TRUE(r.starts_with("HTTP/1.1 200 ")) << r;
  EXPECT_TRUE(has(r, "Content-Length: " + std::to_string(lesson_.size()))) << r;
  EXPECT_EQ(body_of(r), "");
}

TEST_F(ResponderTest, QueryKeysChooseTheEntryOnlyWhenAllowListed) {
  EXPECT_EQ(body_of(respond("GET /page.html?lang=fr HTTP/1.1\r\nHost: x\r\n\r\n")), "<p>default</p>");
  EXPECT_EQ(body_of(respond("GET /page.html?x=1&lang=fr HTTP/1.1\r\nHost: x\r\n\r\n", true, {"lang"})),
            "<p>français</p>");
  // Absolute-form: the scratch holds the path and its kept query, never more than the target.
  EXPECT_EQ(body_of(respond("GET http://x/page.html?lang=fr HTTP/1.1\r\nHost: x\r\n\r\n", true, {"lang"})),
            "<p>français</p>");
  EXPECT_TRUE(respond("GET /page.html?lang=de HTTP/1.1\r\nHost: x\r\n\r\n", true, {"lang"})
                  .starts_with("HTTP/1.1 404 "));
}

TEST_F(ResponderTest, DirectoryWithoutSlashRedirectsKeepingTheQuery) {
  const std::string r = respond("GET /cours?a=1&b=%20 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(r.starts_with("HTTP/1.1 301 ")) << r;
  EXPECT_TRUE(has(r, "Location: /cours/?a=1&b=%20")) << r;
  EXPECT_TRUE(has(r, "Content-Length: 0")) << r;
}

TEST_F(ResponderTest, OptionsAnswersForAnyValidTargetAndGetRefusesTheAsterisk) {
  const std::string star = respond("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(star.starts_with("HTTP/1.1 200 ")) << star;
  EXPECT_TRUE(has(star, "Allow: GET, HEAD, OPTIONS")) << star;
  EXPECT_TRUE(respond("OPTIONS /nowhere HTTP/1.1\r\nHost: x\r\n\r\n").starts_with("HTTP/1.1 200 "));
  EXPECT_TRUE(respond("OPTIONS /a/../.. HTTP/1.1\r\nHost: x\r\n\r\n").starts_with("HTTP/1.1 400 "));
  const std::string get_star = respond("GET * HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(get_star.starts_with("HTTP/1.1 400 ")) << get_star;
  EXPECT_TRUE(last_.close);
}

// Every status the edge or its admin listener sends, with its RFC 9110 §15
// phrase: the admin once answered "401 Unknown", "403 Unknown", "409 Unknown".
TEST(ReasonPhrase, EveryStatusWeSendHasItsRfcPhrase) {
  const std::pair<std::uint16_t, std::string_view> rows[] = {
      {100, "Continue"}, {200, "OK"}, {204, "No Content"}, {206, "Partial Content"}, {301, "Moved Permanently"},
      {304, "Not Modified"}, {400, "Bad Request"}, {401, "Unauthorized"}, {403, "Forbidden"}, {404, "Not Found"},
      {405, "Method Not Allowed"}, {406, "Not Acceptable"}, {408, "Request Timeout"}, {409, "Conflict"},
      {412, "Precondition Failed"}, {413, "Content Too Large"}, {414, "URI Too Long"},
      {416, "Range Not Satisfiable"}, {417, "Expectation Failed"}, {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"}, {500, "Internal Server Error"}, {501, "Not Implemented"},
      {503, "Service Unavailable"}, {505, "HTTP Version Not Supported"},
  };
  for (auto [status, phrase] : rows) EXPECT_EQ(reason_phrase(status), phrase) << status;
}

}  // namespace
}  // namespace relais::http
