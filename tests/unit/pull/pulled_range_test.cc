// Ranges of pulled responses (pulled_range.h): which ranges a response's
// status, validators and length allow (RFC 9110 §14.2, §13.1.5), a cold
// key's single range, and the cut of a body arriving in chunks.
#include <gtest/gtest.h>

#include <string>

#include "edge/pull/pulled_range.h"

namespace relais::pull {
namespace {

constexpr std::int64_t kLastModified = 1'796'112'000;  // Tue, 01 Dec 2026 08:00:00 GMT

freshness::ResponseFacts facts(std::string etag, bool last_modified, std::int64_t length = 20) {
  freshness::ResponseFacts f;
  f.etag = std::move(etag);
  if (last_modified) f.last_modified = kLastModified;
  f.content_length = length;
  return f;
}

RangeAsk ask(std::string range, std::string if_range = "") {
  RangeAsk a;
  a.range = std::move(range);
  a.if_range = std::move(if_range);
  a.max_ranges = 16;
  a.boundary = "b";
  return a;
}

TEST(PulledRange, OnlyAWhole200IsRanged) {
  EXPECT_EQ(select_ranges(ask("bytes=0-1"), 200, facts("\"v\"", true), 20).kind, http::RangeSet::Kind::satisfiable);
  for (int status : {203, 301, 404, 410}) {
    EXPECT_EQ(select_ranges(ask("bytes=0-1"), status, facts("\"v\"", true), 20).kind, http::RangeSet::Kind::ignore)
        << status;
  }
  EXPECT_EQ(select_ranges(ask(""), 200, facts("\"v\"", true), 20).kind, http::RangeSet::Kind::ignore);
}

TEST(PulledRange, Rfc9110_S13_1_5_IfRangeNeedsTheExactValidator) {
  struct Row {
    const char* etag;
    bool last_modified;
    const char* if_range;
    http::RangeSet::Kind kind;
  };
  const Row rows[] = {
      {"\"v\"", true, "\"v\"", http::RangeSet::Kind::satisfiable},
      {"W/\"v\"", true, "W/\"v\"", http::RangeSet::Kind::ignore},  // weak on both sides: no strong match
      {"W/\"v\"", true, "\"v\"", http::RangeSet::Kind::ignore},
      {"", true, "\"v\"", http::RangeSet::Kind::ignore},  // no ETag stored
      {"\"v\"", true, "Tue, 01 Dec 2026 08:00:00 GMT", http::RangeSet::Kind::satisfiable},
      {"\"v\"", false, "Tue, 01 Dec 2026 08:00:00 GMT", http::RangeSet::Kind::ignore},  // no Last-Modified stored
      {"\"v\"", true, "Tue, 01 Dec 2026 07:59:59 GMT", http::RangeSet::Kind::ignore},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(select_ranges(ask("bytes=0-1", row.if_range), 200, facts(row.etag, row.last_modified), 20).kind, row.kind)
        << row.etag << " / " << row.if_range;
  }
}

TEST(PulledRange, ColdKeyGetsOneRangeOnlyWithALength) {
  const ColdRange one = cold_range(ask("bytes=5-9"), 200, facts("\"v\"", true));
  EXPECT_EQ(one.kind, ColdRange::Kind::one);
  EXPECT_EQ(one.range.first, 5u);
  EXPECT_EQ(one.range.last, 9u);
  EXPECT_EQ(cold_range(ask("bytes=20-"), 200, facts("\"v\"", true)).kind, ColdRange::Kind::unsatisfiable);
  EXPECT_EQ(cold_range(ask("bytes=0-1,5-6"), 200, facts("\"v\"", true)).kind, ColdRange::Kind::whole);
  freshness::ResponseFacts chunked = facts("\"v\"", true);
  chunked.content_length.reset();
  EXPECT_EQ(cold_range(ask("bytes=0-1"), 200, chunked).kind, ColdRange::Kind::whole);
}

TEST(PulledRange, RangeRequestOfAGetOnly) {
  http::Request get;
  get.method = http::Method::get;
  get.range = "bytes=0-1";
  get.if_range = "\"v\"";
  const RangeAsk a = range_ask(get, nullptr);
  EXPECT_EQ(a.range, "bytes=0-1");
  EXPECT_EQ(a.if_range, "\"v\"");
  EXPECT_GT(a.max_ranges, 0u);
  http::Request head = get;
  head.method = http::Method::head;
  EXPECT_FALSE(range_ask(head, nullptr).wanted());  // RFC 9110 §14.2
}

// The range 5..14 of a body arriving 4 bytes at a time.
TEST(PulledRange, CutPassesTheBytesBeforeAndStopsAfterTheRange) {
  RangeCut cut(http::ByteRange{5, 14});
  const std::string body = "abcdefghijklmnopqrst";
  std::string sent;
  std::size_t at = 0;
  for (std::size_t size : {4u, 4u, 4u, 4u, 4u}) {
    std::string_view chunk = std::string_view(body).substr(at, size);
    at += size;
    const std::size_t before = cut.before(chunk);
    cut.advance(before);
    const std::string_view mine = cut.inside(chunk.substr(before));
    sent.append(mine);
    cut.advance(mine.size());
    if (cut.complete()) break;
  }
  EXPECT_EQ(sent, "fghijklmno");
  EXPECT_TRUE(cut.complete());
  EXPECT_EQ(at, 16u);  // the last chunk was never needed
  RangeCut whole;
  EXPECT_EQ(whole.before("abc"), 0u);
  EXPECT_EQ(whole.inside("abc"), "abc");
}

}  // namespace
}  // namespace relais::pull
