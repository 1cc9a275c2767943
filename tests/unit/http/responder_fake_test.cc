// Responder through its interfaces: a fake catalog lookup and fake body
// sources, no blob store, no disk, no protocol. What the responder decides
// is read off the neutral Response it hands its sink, so these tests hold for
// every protocol writer (tests/unit/proto/h1 checks the HTTP/1 bytes).
#include <gtest/gtest.h>

#include <unordered_map>
#include <string>
#include <utility>
#include <vector>

#include "edge/http/multipart.h"
#include "edge/http/representation.h"
#include "edge/http/responder.h"
#include "origin-sync/content_hash.h"

namespace relais::http {
namespace {

constexpr char kDate[] = "Wed, 02 Dec 2026 08:00:00 GMT";

// Entries come from a real Catalog (built in memory); every lookup is recorded.
class FakeCatalog final : public CatalogLookup {
 public:
  explicit FakeCatalog(std::shared_ptr<const Catalog> c) : catalog_(std::move(c)) {}
  const CatalogEntry* find(std::string_view path) const override {
    asked.emplace_back(path);
    return catalog_->find(path);
  }
  const CatalogEntry* find_index(std::string_view dir, std::string_view suffix) const override {
    asked.emplace_back(std::string(dir) + "index.html" + std::string(suffix));
    return catalog_->find_index(dir, suffix);
  }
  bool is_directory(std::string_view path) const override { return catalog_->is_directory(path); }
  std::uint64_t serial() const override { return 42; }
  mutable std::vector<std::string> asked;

 private:
  std::shared_ptr<const Catalog> catalog_;
};

// Bodies from strings in RAM; a hash it does not hold is a storage error.
class FakeBodies final : public BodySources {
 public:
  void put(const std::string& bytes) {
    objects_[hash_bytes(std::string_view(bytes))] =
        std::make_shared<const MemoryObject>(MemoryObject{hash_bytes(std::string_view(bytes)), bytes});
  }
  Result<BodySource> body(const Variant& variant, std::uint64_t) override {
    ++calls;
    auto it = objects_.find(variant.hash);
    if (it == objects_.end()) return Error::storage("no such blob");
    return BodySource{it->second, nullptr, variant.size};
  }
  int calls = 0;

 private:
  std::unordered_map<ContentHash, MemoryRef, ContentHashHasher> objects_;
};

// What a protocol writer would read off the response, copied during send().
struct Captured {
  std::uint16_t status = 0;
  std::vector<std::pair<std::string, std::string>> fields;  // h2 names: lower case
  ResponseBody::Kind body = ResponseBody::Kind::none;
  std::string body_bytes;  // memory bodies and text, ranges concatenated
  std::size_t ranges = 0;
  std::uint64_t multipart_length = 0;
  bool close = false;
  std::string field(const std::string& name) const {
    for (const auto& [n, v] : fields)
      if (n == name) return v;
    return "<absent>";
  }
};

class CapturingSink final : public ResponseSink {
 public:
  void send(const Response& r) override {
    ++sends;
    got = Captured{};
    got.status = r.status;
    got.close = r.close;
    if (r.representation != nullptr) {
      full_representation_fields(*r.representation, [this](const FieldName& n, std::string_view v) {
        got.fields.emplace_back(n.h2, v);
      });
    }
    for (const Field& f : r.fields()) got.fields.emplace_back(f.name->h2, f.value());
    got.body = r.body.kind;
    if (r.body.kind == ResponseBody::Kind::text) got.body_bytes = r.body.text;
    if (r.body.kind == ResponseBody::Kind::source) {
      const std::string& all = r.body.source->memory->bytes;
      got.ranges = r.body.ranges.size();
      if (r.body.ranges.empty()) got.body_bytes = all;
      for (const ByteRange& range : r.body.ranges) got.body_bytes += all.substr(range.first, range.length());
      if (r.body.multipart()) got.multipart_length = multipart_length(r.body);
    }
  }
  Captured got;
  int sends = 0;
};

class ResponderFakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Manifest m;
    m.generation = 1;
    m.entries.push_back(entry("cours/lecon.html", "text/html; charset=utf-8", {lesson_, lesson_br_}));
    m.entries.push_back(entry("cours/index.html", "text/html; charset=utf-8", {"<p>cours</p>"}));
    m.entries.push_back(entry("perdu.pdf", "application/pdf", {"not in the fake's RAM"}, /*stored=*/false));
    catalog_ = std::make_unique<FakeCatalog>(Catalog::from_manifest(std::move(m)).value());
    settings_.server_name = "relais-test";
    settings_.multipart_boundary = "BOUNDARY";
    settings_.cache_control.html = "public, max-age=60";
    settings_.cache_control.fallback = "public, max-age=86400";
  }
  ManifestEntry entry(const std::string& path, const std::string& type, std::vector<std::string> variants,
                      bool stored = true) {
    ManifestEntry e{path, type, 1700000000, {}};
    const Encoding encodings[] = {Encoding::identity, Encoding::br};
    for (std::size_t i = 0; i < variants.size(); ++i) {
      e.variants.push_back(Variant{encodings[i], hash_bytes(std::string_view(variants[i])), variants[i].size()});
      if (stored) bodies_.put(variants[i]);
    }
    return e;
  }
  // A request as any protocol's parser would hand it over.
  ResponseSummary respond(Method method, std::string_view target, std::string_view accept_encoding = {},
                          std::string_view range = {}, bool keep_alive = true) {
    Request request;
    request.method = method;
    request.target = target;
    request.host = "x";
    request.accept_encoding = accept_encoding;
    request.has_accept_encoding = !accept_encoding.empty();
    request.range = range;
    request.keep_alive = keep_alive;
    Responder responder(settings_);
    RequestContext context{catalog_.get(), &bodies_, kDate, false};
    std::vector<char> scratch(request.target.size());
    return responder.respond(request, context, scratch, sink_);
  }

  const std::string lesson_ = std::string(500, 'a') + "<p>leçon</p>";
  const std::string lesson_br_ = "brotli-bytes";
  FakeBodies bodies_;
  std::unique_ptr<FakeCatalog> catalog_;
  ResponderSettings settings_;
  CapturingSink sink_;
};

TEST_F(ResponderFakeTest, AFullResponseReferencesTheNegotiatedVariantsBytes) {
  const ResponseSummary s = respond(Method::get, "/cours/lecon.html", "br");
  EXPECT_EQ(sink_.sends, 1);
  EXPECT_EQ(sink_.got.status, 200);
  EXPECT_EQ(sink_.got.field("content-encoding"), "br");
  EXPECT_EQ(sink_.got.field("content-length"), std::to_string(lesson_br_.size()));
  EXPECT_EQ(sink_.got.field("vary"), "Accept-Encoding");
  EXPECT_EQ(sink_.got.field("cache-control"), "public, max-age=60");
  EXPECT_EQ(sink_.got.field("connection"), "<absent>");  // the protocol's business
  EXPECT_EQ(sink_.got.body, ResponseBody::Kind::source);
  EXPECT_EQ(sink_.got.body_bytes, lesson_br_);
  EXPECT_EQ(bodies_.calls, 1);
  EXPECT_TRUE(s.from_memory);
  EXPECT_EQ(catalog_->asked, std::vector<std::string>{"cours/lecon.html"});
}

TEST_F(ResponderFakeTest, HeadAsksTheTiersForNoBody) {
  respond(Method::head, "/cours/lecon.html");
  EXPECT_EQ(sink_.got.status, 200);
  EXPECT_EQ(sink_.got.field("content-length"), std::to_string(lesson_.size()));
  EXPECT_EQ(sink_.got.body, ResponseBody::Kind::none);
  EXPECT_EQ(bodies_.calls, 0);
}

TEST_F(ResponderFakeTest, ABodyTheTiersCannotProduceIs503) {
  const ResponseSummary s = respond(Method::get, "/perdu.pdf");
  EXPECT_EQ(sink_.got.status, 503);
  EXPECT_EQ(sink_.got.field("retry-after"), "5");
  EXPECT_EQ(sink_.got.field("cache-control"), "no-store");
  EXPECT_EQ(sink_.got.body, ResponseBody::Kind::text);
  EXPECT_TRUE(s.blob_error);
}

TEST_F(ResponderFakeTest, SeveralRangesAreDescribedAsPartsWhoseFramingMatchesContentLength) {
  const ResponseSummary s = respond(Method::get, "/cours/lecon.html", {}, "bytes=0-1,10-12");
  EXPECT_EQ(sink_.got.status, 206);
  EXPECT_EQ(sink_.got.field("content-type"), "multipart/byteranges; boundary=BOUNDARY");
  EXPECT_EQ(sink_.got.ranges, 2u);
  EXPECT_EQ(sink_.got.body_bytes, "aaaaa");
  // RFC 9110 §14.6 framing, spelled out here rather than taken from multipart.h.
  const std::string size = std::to_string(lesson_.size());
  const std::string body = "\r\n--BOUNDARY\r\nContent-Type: text/html; charset=utf-8\r\nContent-Range: bytes 0-1/" + size +
                           "\r\n\r\naa" + "\r\n--BOUNDARY\r\nContent-Type: text/html; charset=utf-8\r\nContent-Range: bytes 10-12/" +
                           size + "\r\n\r\naaa" + "\r\n--BOUNDARY--\r\n";
  EXPECT_EQ(sink_.got.field("content-length"), std::to_string(body.size()));
  EXPECT_EQ(sink_.got.multipart_length, body.size());
  EXPECT_EQ(s.body_bytes, body.size());
}

TEST_F(ResponderFakeTest, OneRangeIsThatRangeWithItsContentRange) {
  respond(Method::get, "/cours/lecon.html", {}, "bytes=2-4");
  EXPECT_EQ(sink_.got.status, 206);
  EXPECT_EQ(sink_.got.field("content-range"), "bytes 2-4/" + std::to_string(lesson_.size()));
  EXPECT_EQ(sink_.got.body_bytes, "aaa");
}

TEST_F(ResponderFakeTest, ADirectoryWithoutItsSlashIsRedirectedAndItsIndexLookedUp) {
  respond(Method::get, "/cours");
  EXPECT_EQ(sink_.got.status, 301);
  EXPECT_EQ(sink_.got.field("location"), "/cours/");
  respond(Method::get, "/cours/");
  EXPECT_EQ(sink_.got.status, 200);
  EXPECT_EQ(sink_.got.body_bytes, "<p>cours</p>");
  EXPECT_EQ(catalog_->asked.back(), "cours/index.html");
}

TEST_F(ResponderFakeTest, AConnectionThatMustCloseIsToldSo) {
  respond(Method::get, "/cours/lecon.html", {}, {}, /*keep_alive=*/false);
  EXPECT_TRUE(sink_.got.close);
}

}  // namespace
}  // namespace relais::http
