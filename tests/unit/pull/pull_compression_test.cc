// Compression of pulled identity text (edge/pull/pull_compression.h,
// variant_compressor.h): which objects get coded variants, the entity-tag
// and Vary of a coded response, the choice a hit makes, and the compressor
// thread's queue.
#include "edge/pull/pull_compression.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "edge/pull/pulled_object.h"
#include "edge/pull/pulled_response.h"
#include "edge/pull/variant_compressor.h"

namespace relais::pull {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::uint64_t kMax = 4u << 20;

MemoryRef bytes_of(std::string s) {
  auto b = std::make_shared<MemoryObject>();
  b->bytes = std::move(s);
  return b;
}

std::string text(std::size_t n) {
  std::string s;
  while (s.size() < n) s += "<p>Le\xC3\xA7on de g\xC3\xA9ographie : les fleuves de France.</p>\n";
  s.resize(n);
  return s;
}

PulledObject object(std::vector<freshness::StoredField> fields, std::size_t size = 4096, int status = 200) {
  PulledObject o;
  o.status = status;
  o.fields = std::move(fields);
  o.stored.facts = freshness::read_response_facts(status, field_views(o.fields), kNow);
  o.body = bytes_of(text(size));
  return o;
}

PulledObject html(std::vector<freshness::StoredField> extra = {}, std::size_t size = 4096, int status = 200) {
  std::vector<freshness::StoredField> fields = {{"Content-Type", "text/html; charset=utf-8"},
                                                {"Cache-Control", "max-age=60"}};
  fields.insert(fields.end(), extra.begin(), extra.end());
  return object(std::move(fields), size, status);
}

TEST(PullCompression, EligibilityOneRowPerRule) {
  const struct {
    const char* name;
    PulledObject object;
    std::uint64_t max;
    CompressVerdict expected;
  } rows[] = {
      {"html", html(), kMax, CompressVerdict::compress},
      {"identity named", html({{"Content-Encoding", "identity"}}), kMax, CompressVerdict::compress},
      {"json", object({{"Content-Type", "application/json"}}), kMax, CompressVerdict::compress},
      {"svg", object({{"Content-Type", "image/svg+xml"}}), kMax, CompressVerdict::compress},
      {"javascript alias", object({{"Content-Type", "application/javascript"}}), kMax, CompressVerdict::compress},
      {"other vary", html({{"Vary", "Accept-Language"}}), kMax, CompressVerdict::compress},
      {"off", html(), 0, CompressVerdict::off},
      {"404", html({}, 4096, 404), kMax, CompressVerdict::not_ok},
      {"gzip from the origin", html({{"Content-Encoding", "gzip"}}), kMax, CompressVerdict::already_coded},
      {"content-range", html({{"Content-Range", "bytes 0-9/100"}}), kMax, CompressVerdict::already_coded},
      {"png", object({{"Content-Type", "image/png"}}), kMax, CompressVerdict::not_compressible},
      {"no content-type", object({}), kMax, CompressVerdict::not_compressible},
      {"no-transform", html({{"Cache-Control", "public, no-transform"}}), kMax, CompressVerdict::no_transform},
      {"no-transform targeted", html({{"CDN-Cache-Control", "max-age=5, no-transform"}}), kMax,
       CompressVerdict::no_transform},
      {"vary accept-encoding", html({{"Vary", "Cookie, accept-encoding"}}), kMax, CompressVerdict::varies_on_encoding},
      {"255 bytes", html({}, kCompressMinBytes - 1), kMax, CompressVerdict::too_small},
      {"256 bytes", html({}, kCompressMinBytes), kMax, CompressVerdict::compress},
      {"over the max", html({}, 5000), 4999, CompressVerdict::too_large},
      {"at the max", html({}, 5000), 5000, CompressVerdict::compress},
  };
  for (const auto& row : rows) EXPECT_EQ(compression_verdict(row.object, row.max), row.expected) << row.name;
}

TEST(PullCompression, CodedEntityTagKeepsQuotesAndWeakness) {
  EXPECT_EQ(coded_etag("\"abc\"", Encoding::br), "\"abc-br\"");
  EXPECT_EQ(coded_etag("W/\"abc\"", Encoding::zstd), "W/\"abc-zstd\"");
  EXPECT_EQ(coded_etag("\"\"", Encoding::gzip), "\"-gzip\"");
  EXPECT_EQ(coded_etag("", Encoding::br), "");
}

TEST(PullCompression, VaryMergesAcceptEncodingIntoTheOrigins) {
  EXPECT_EQ(vary_with_accept_encoding(""), "Accept-Encoding");
  EXPECT_EQ(vary_with_accept_encoding("  "), "Accept-Encoding");
  EXPECT_EQ(vary_with_accept_encoding("Accept-Language"), "Accept-Language, Accept-Encoding");
}

PulledObject with_variants(std::vector<freshness::StoredField> extra = {}) {
  PulledObject o = html(std::move(extra), 1000);
  auto coded = std::make_shared<CodedVariants>();
  coded->bodies.push_back({Encoding::br, bytes_of(std::string(100, 'b'))});
  coded->bodies.push_back({Encoding::zstd, bytes_of(std::string(120, 'z'))});
  coded->bodies.push_back({Encoding::gzip, bytes_of(std::string(150, 'g'))});
  o.coded = coded;
  return o;
}

http::Request request(const char* accept_encoding, const char* range = "") {
  http::Request r;
  r.method = http::Method::get;
  if (accept_encoding != nullptr) {
    r.accept_encoding = accept_encoding;
    r.has_accept_encoding = true;
  }
  r.range = range;
  return r;
}

const char* chosen(const PulledObject& o, const http::Request& r) {
  const CodingChoice c = choose_coding(o, r);
  if (!c.acceptable) return "406";
  return c.coded == nullptr ? "identity" : encoding_name(c.coded->encoding).data();
}

// As published content: the smallest acceptable, q=0 refuses, identity
// refused with nothing else acceptable is a 406, a range gets the identity.
TEST(PullCompression, AHitNegotiatesAsPublishedContent) {
  const PulledObject o = with_variants();
  EXPECT_STREQ(chosen(o, request(nullptr)), "identity");
  EXPECT_STREQ(chosen(o, request("")), "identity");
  EXPECT_STREQ(chosen(o, request("gzip, deflate, br, zstd")), "br");
  EXPECT_STREQ(chosen(o, request("zstd")), "zstd");
  EXPECT_STREQ(chosen(o, request("gzip")), "gzip");
  EXPECT_STREQ(chosen(o, request("br;q=0, gzip")), "gzip");
  EXPECT_STREQ(chosen(o, request("identity;q=0, compress")), "406");
  EXPECT_STREQ(chosen(o, request("br", "bytes=0-9")), "identity");
  EXPECT_STREQ(chosen(o, request("br, identity;q=0", "bytes=0-9")), "br");
  EXPECT_STREQ(chosen(html(), request("br, identity;q=0")), "identity");  // no variants: as stored
}

std::string field(const std::vector<http::HeaderField>& fields, std::string_view name) {
  std::string out;
  for (const http::HeaderField& f : fields) {
    if (f.name == name) out += (out.empty() ? "" : "|") + std::string(f.value);
  }
  return out;
}

TEST(PullCompression, CodedFieldsHaveTheirTagEncodingAndVary) {
  const PulledObject o = with_variants({{"ETag", "\"v1\""}, {"Vary", "Accept-Language"}});
  std::vector<http::HeaderField> fields;
  forwarded_fields(o.fields, fields);
  CodedFieldValues values;
  apply_coding(fields, o, &o.coded->bodies[0], values);
  EXPECT_EQ(field(fields, "ETag"), "\"v1-br\"");
  EXPECT_EQ(field(fields, "Content-Encoding"), "br");
  EXPECT_EQ(field(fields, "Vary"), "Accept-Language, Accept-Encoding");
  EXPECT_EQ(field(fields, "Content-Type"), "text/html; charset=utf-8");

  std::vector<http::HeaderField> identity;
  forwarded_fields(o.fields, identity);
  CodedFieldValues identity_values;
  apply_coding(identity, o, nullptr, identity_values);
  EXPECT_EQ(field(identity, "ETag"), "\"v1\"");
  EXPECT_EQ(field(identity, "Content-Encoding"), "");
  EXPECT_EQ(field(identity, "Vary"), "Accept-Language, Accept-Encoding");

  const PulledObject plain = html({{"ETag", "\"v1\""}});
  std::vector<http::HeaderField> as_stored;
  forwarded_fields(plain.fields, as_stored);
  CodedFieldValues unused;
  apply_coding(as_stored, plain, nullptr, unused);
  EXPECT_EQ(field(as_stored, "Vary"), "");  // nothing coded yet: as the origin sent it
}

// RFC 9111 §3.2, §5.2.2.6: a 304 that adds no-transform (or a Vary on
// Accept-Encoding) takes the variants away; one that changes neither keeps them.
TEST(PullCompression, AFreshening304KeepsVariantsUnlessItForbidsThem) {
  const PulledObject o = with_variants({{"ETag", "\"v1\""}});
  const upstream::OriginHead same{304, {{"Cache-Control", "max-age=120"}, {"ETag", "\"v1\""}}};
  EXPECT_NE(freshen(o, same, {kNow, kNow}, kNow)->coded, nullptr);
  const upstream::OriginHead no_transform{304, {{"Cache-Control", "max-age=120, no-transform"}, {"ETag", "\"v1\""}}};
  EXPECT_EQ(freshen(o, no_transform, {kNow, kNow}, kNow)->coded, nullptr);
  const upstream::OriginHead varies{304, {{"Vary", "Accept-Encoding"}, {"ETag", "\"v1\""}}};
  EXPECT_EQ(freshen(o, varies, {kNow, kNow}, kNow)->coded, nullptr);
}

// The compressor's results, awaited by a condition (its notify), never a sleep.
class Results {
 public:
  std::function<void()> notify() {
    return [this] {
      std::lock_guard lock(mutex_);
      ++count_;
      changed_.notify_all();
    };
  }
  bool await(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(30), [&] { return count_ >= count; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int count_ = 0;
};

TEST(VariantCompressor, MakesTheVariantsThePublisherWouldKeep) {
  Results results;
  VariantCompressor compressor(4, results.notify());
  const MemoryRef body = bytes_of(text(20'000));
  ASSERT_TRUE(compressor.submit({"0 /a", "", body}));
  ASSERT_TRUE(results.await(1));
  std::vector<VariantCompressor::Done> done = compressor.take();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].primary, "0 /a");
  EXPECT_EQ(done[0].body, body);
  ASSERT_NE(done[0].coded, nullptr);
  ASSERT_EQ(done[0].coded->bodies.size(), 3u);
  EXPECT_EQ(done[0].coded->bodies[0].encoding, Encoding::br);
  EXPECT_EQ(done[0].coded->bodies[1].encoding, Encoding::zstd);
  EXPECT_EQ(done[0].coded->bodies[2].encoding, Encoding::gzip);
  for (const CodedBody& b : done[0].coded->bodies) EXPECT_LT(b.body->bytes.size(), body->bytes.size());
}

TEST(VariantCompressor, NothingWorthKeepingIsANullResult) {
  Results results;
  VariantCompressor compressor(4, results.notify());
  std::string noise(4096, '\0');
  std::uint32_t x = 2463534242u;
  for (char& c : noise) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;  // xorshift: incompressible
    c = static_cast<char>(x);
  }
  const MemoryRef body = bytes_of(noise);
  ASSERT_TRUE(compressor.submit({"0 /n", "", body}));
  ASSERT_TRUE(results.await(1));
  std::vector<VariantCompressor::Done> done = compressor.take();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].coded, nullptr);
}

// A full queue refuses; destroying the compressor with jobs queued stops it.
// The thread is held inside its first notify, so the queue's state is known.
TEST(VariantCompressor, AFullQueueRefusesAndDestructionDropsTheRest) {
  std::mutex mutex;
  std::condition_variable changed;
  bool in_notify = false;
  bool released = false;
  auto notify = [&] {
    std::unique_lock lock(mutex);
    in_notify = true;
    changed.notify_all();
    changed.wait_for(lock, std::chrono::seconds(30), [&] { return released; });
  };
  const MemoryRef body = bytes_of(text(1000));
  {
    VariantCompressor compressor(2, notify);
    ASSERT_TRUE(compressor.submit({"0 /1", "", body}));
    {
      std::unique_lock lock(mutex);
      ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(30), [&] { return in_notify; }));
    }
    EXPECT_TRUE(compressor.submit({"0 /2", "", body}));
    EXPECT_TRUE(compressor.submit({"0 /3", "", body}));
    EXPECT_FALSE(compressor.submit({"0 /4", "", body}));
    {
      std::lock_guard lock(mutex);
      released = true;
    }
    changed.notify_all();
  }
  EXPECT_EQ(body.use_count(), 1);  // no job, no result holds it any more
}

}  // namespace
}  // namespace relais::pull
