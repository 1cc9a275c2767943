// The on-disk form of a pulled object (pulled_record.h): a record decodes to
// what was encoded, and any cut, flipped byte or wrong size is refused.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "edge/pull/pulled_record.h"
#include "edge/pull/pulled_response.h"

namespace relais::pull {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

PulledObject sample(const std::string& body) {
  PulledObject o;
  o.status = 200;
  o.fields = {{"Date", "Fri, 15 Jan 2027 08:00:00 GMT"}, {"Cache-Control", "max-age=60"}, {"ETag", "\"v1\""},
              {"Vary", "Accept-Encoding"}, {"Content-Type", "text/plain"}};
  o.stored.times = {kNow - 1, kNow};
  o.stored.facts = freshness::read_response_facts(200, field_views(o.fields), kNow);
  o.secondary = "accept-encoding=gzip";
  auto bytes = std::make_shared<MemoryObject>();
  bytes->bytes = body;
  o.body = bytes;
  return o;
}

std::string record(const PulledObject& o, const std::string& primary = "0 /a.txt") {
  return encode_record_prefix(primary, o) + o.body->bytes;
}

TEST(PulledRecord, DecodesWhatWasEncodedWithItsFacts) {
  const PulledObject o = sample(std::string(70'000, 'x') + "end");
  const std::optional<RecordHead> back = decode_record(record(o));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->primary, "0 /a.txt");
  EXPECT_EQ(back->object.status, 200);
  EXPECT_EQ(back->object.secondary, o.secondary);
  ASSERT_EQ(back->object.fields.size(), o.fields.size());
  for (std::size_t i = 0; i < o.fields.size(); ++i) {
    EXPECT_EQ(back->object.fields[i].name, o.fields[i].name);
    EXPECT_EQ(back->object.fields[i].value, o.fields[i].value);
  }
  EXPECT_EQ(back->object.stored.times.request_time, kNow - 1);
  EXPECT_EQ(back->object.stored.times.response_time, kNow);
  // What freshness needs is read again from the stored fields.
  EXPECT_EQ(back->object.stored.facts.etag, "\"v1\"");
  EXPECT_EQ(back->object.stored.facts.vary, "Accept-Encoding");
  EXPECT_EQ(back->object.stored.facts.directives.max_age, o.stored.facts.directives.max_age);
  EXPECT_EQ(back->object.stored.facts.date, o.stored.facts.date);
  EXPECT_EQ(back->object.body->bytes, o.body->bytes);
}

TEST(PulledRecord, EmptyBodyAnd404RoundTrip) {
  PulledObject o = sample("");
  o.status = 404;
  const std::optional<RecordHead> back = decode_record(record(o));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->object.status, 404);
  EXPECT_TRUE(back->object.body->bytes.empty());
}

// Every cut of the file, and a flipped byte anywhere (header, head, body),
// is refused: a truncated or tampered file is never served.
TEST(PulledRecord, RefusesEveryTruncationAndEveryFlippedByte) {
  const std::string whole = record(sample("0123456789abcdef"));
  for (std::size_t n = 0; n < whole.size(); ++n) EXPECT_FALSE(decode_record(whole.substr(0, n))) << "cut at " << n;
  EXPECT_FALSE(decode_record(whole + "x"));
  for (std::size_t i = 0; i < whole.size(); ++i) {
    std::string bad = whole;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    EXPECT_FALSE(decode_record(bad)) << "byte " << i;
  }
}

TEST(PulledRecord, HeaderGivesTheFileSizeAndRefusesAbsurdLengths) {
  const PulledObject o = sample("body");
  const std::string whole = record(o);
  const std::optional<RecordHeader> h = decode_record_header(whole);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->file_bytes(), whole.size());
  EXPECT_EQ(h->body_bytes, 4u);
  std::string huge = whole;
  huge[8 + 3] = '\x7f';  // head length's top byte: over kMaxHeadBytes
  EXPECT_FALSE(decode_record_header(huge));
  EXPECT_FALSE(decode_record_header("RLPULL2\n" + whole.substr(8)));
}

// A head whose inner lengths run past its end, or with a status or field
// count out of bounds, decodes to nothing (the disk is input).
TEST(PulledRecord, HostileHeadsAreRefused) {
  EXPECT_FALSE(decode_record_head(""));
  EXPECT_FALSE(decode_record_head(std::string("\xff\xff\xff\x0f", 4)));
  PulledObject o = sample("");
  o.status = 42;
  const std::string bad_status = encode_record_prefix("0 /a", o).substr(kRecordHeaderBytes);
  EXPECT_FALSE(decode_record_head(bad_status));
  o = sample("");
  o.fields.resize(kMaxFields + 1, {"X", "y"});
  EXPECT_FALSE(decode_record_head(encode_record_prefix("0 /a", o).substr(kRecordHeaderBytes)));
  EXPECT_FALSE(decode_record_head(encode_record_prefix("", sample("")).substr(kRecordHeaderBytes)));
}

// A sliced head (pull_slices.h) keeps its slice size and length; an empty
// body is all it may have: one with bytes, or a tag cut or altered, is no
// record of ours. A slice is a plain record (a 206 without fields).
TEST(PulledRecord, SlicedHeadKeepsItsSliceSizeAndLengthAndHasNoBody) {
  PulledObject head = sample("");
  head.secondary.clear();
  head.slice_size = 65536;
  head.length = 4'000'000;
  const std::optional<RecordHead> back = decode_record(record(head));
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->object.sliced());
  EXPECT_EQ(back->object.slice_size, 65536u);
  EXPECT_EQ(back->object.length, 4'000'000u);
  EXPECT_FALSE(sample("x").sliced());
  EXPECT_FALSE(decode_record(record(sample("x"))).value().object.sliced());

  EXPECT_FALSE(decode_record(encode_record_prefix("0 /a.txt", head) + "x")) << "header says 0 body bytes";
  const std::string prefix_with_body = [&] {
    PulledObject with_body = head;
    auto bytes = std::make_shared<MemoryObject>();
    bytes->bytes = "bytes";
    with_body.body = bytes;
    return encode_record_prefix("0 /a.txt", with_body) + "bytes";
  }();
  EXPECT_FALSE(decode_record(prefix_with_body)) << "a sliced head with a body";
  head.status = 206;
  EXPECT_FALSE(decode_record(record(head))) << "a sliced head is a 200";
  head.status = 200;
  head.length = 0;
  EXPECT_FALSE(decode_record(record(head))) << "an empty sliced object";
  const std::string full = encode_record_prefix("0 /a.txt", sample("")).substr(kRecordHeaderBytes);
  EXPECT_FALSE(decode_record_head(full + std::string("SLIC", 4))) << "a tag cut short";
  EXPECT_FALSE(decode_record_head(full + std::string(20, 'z'))) << "bytes after the fields, not the tag";

  PulledObject slice;
  slice.status = 206;
  auto bytes = std::make_shared<MemoryObject>();
  bytes->bytes = std::string(65536, 's');
  slice.body = bytes;
  const std::optional<RecordHead> part = decode_record(record(slice, "0 /v.mp4\n#slice \"v1\" 65536 3"));
  ASSERT_TRUE(part);
  EXPECT_EQ(part->primary, "0 /v.mp4\n#slice \"v1\" 65536 3");
  EXPECT_EQ(part->object.status, 206);
  EXPECT_FALSE(part->object.sliced());
  EXPECT_EQ(part->object.body->bytes, slice.body->bytes);
}

PulledObject with_variants(const std::string& body, std::vector<std::pair<Encoding, std::string>> coded) {
  PulledObject o = sample(body);
  auto variants = std::make_shared<CodedVariants>();
  for (auto& [encoding, bytes] : coded) {
    auto b = std::make_shared<MemoryObject>();
    b->bytes = std::move(bytes);
    variants->bodies.push_back({encoding, std::move(b)});
  }
  o.coded = std::move(variants);
  return o;
}

std::string record_with_variants(const PulledObject& o) {
  std::string out = encode_record_prefix("0 /a.txt", o);
  for (std::string_view part : record_body_parts(o)) out.append(part);
  return out;
}

// Coded variants (pull_compression.h) follow the body under the same
// checksum and come back apart, each with its coding.
TEST(PulledRecord, CodedVariantsRoundTripUnderTheChecksum) {
  const PulledObject o = with_variants(std::string(500, 'i'), {{Encoding::br, "BR"}, {Encoding::gzip, "GZIP!"}});
  const std::string whole = record_with_variants(o);
  const std::optional<RecordHead> back = decode_record(whole);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->object.body->bytes, std::string(500, 'i'));
  ASSERT_NE(back->object.coded, nullptr);
  ASSERT_EQ(back->object.coded->bodies.size(), 2u);
  EXPECT_EQ(back->object.coded->bodies[0].encoding, Encoding::br);
  EXPECT_EQ(back->object.coded->bodies[0].body->bytes, "BR");
  EXPECT_EQ(back->object.coded->bodies[1].encoding, Encoding::gzip);
  EXPECT_EQ(back->object.coded->bodies[1].body->bytes, "GZIP!");
  EXPECT_EQ(decode_record(record(sample("plain"))).value().object.coded, nullptr);
  for (std::size_t i = whole.size() - 7; i < whole.size(); ++i) {
    std::string bad = whole;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    EXPECT_FALSE(decode_record(bad)) << "a flipped byte of a variant, at " << i;
  }
}

// Variants no smaller than the body, a coding twice or out of order, identity
// as a variant, or variants on a sliced head: not a record of ours.
TEST(PulledRecord, ImpossibleVariantsAreRefused) {
  auto refused = [](const std::string& body, std::vector<std::pair<Encoding, std::string>> coded) {
    return !decode_record(record_with_variants(with_variants(body, std::move(coded))));
  };
  const std::string body(100, 'i');
  EXPECT_TRUE(refused("tiny", {{Encoding::br, "larger"}}));
  EXPECT_TRUE(refused(body, {{Encoding::gzip, "a"}, {Encoding::br, "b"}}));
  EXPECT_TRUE(refused(body, {{Encoding::br, "a"}, {Encoding::br, "b"}}));
  EXPECT_TRUE(refused(body, {{Encoding::identity, "a"}}));
  EXPECT_FALSE(refused(body, {{Encoding::br, "a"}, {Encoding::zstd, "b"}, {Encoding::gzip, "c"}}));
  PulledObject head = with_variants("", {{Encoding::br, "a"}});
  head.slice_size = 65536;
  head.length = 1 << 20;
  EXPECT_FALSE(decode_record(record_with_variants(head)));
}

}  // namespace
}  // namespace relais::pull
