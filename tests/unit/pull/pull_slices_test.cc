// Slices of large pulled objects (pull_slices.h): Content-Range parsing
// (RFC 9110 §14.4), a range's slices and its cut per slice, the Range asked
// of the origin, and which 206 makes a sliced head or is a slice of one.
#include <gtest/gtest.h>

#include <string>

#include "edge/pull/pull_slices.h"

namespace relais::pull {
namespace {

constexpr std::uint64_t kMiB = 1 << 20;

upstream::OriginHead answer(int status, std::vector<upstream::OriginField> fields) {
  upstream::OriginHead h;
  h.status = status;
  h.fields = std::move(fields);
  return h;
}

upstream::OriginHead slice_answer(std::string range, std::string etag = "\"v1\"", std::string extra = "") {
  std::vector<upstream::OriginField> fields = {{"Content-Type", "video/mp4"},
                                               {"Cache-Control", "max-age=60"},
                                               {"Content-Range", std::move(range)},
                                               {"Content-Length", "1048576"}};
  if (!etag.empty()) fields.push_back({"ETag", std::move(etag)});
  if (!extra.empty()) fields.push_back({"Vary", std::move(extra)});
  return answer(206, std::move(fields));
}

const SliceRules kRules{kMiB, 8 * kMiB, {}};

TEST(PullSlices, ContentRangeIsBytesFirstLastSlashLength) {
  const auto r = parse_content_range("bytes 1048576-2097151/67108864");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, kMiB);
  EXPECT_EQ(r->last, 2 * kMiB - 1);
  EXPECT_EQ(r->length, 64 * kMiB);
  for (const char* bad : {"bytes 0-9/*", "bytes */100", "bytes 9-0/100", "bytes 0-100/100", "items 0-9/100",
                          "bytes 0-9/100 ", "bytes -1-9/100", "bytes 0-9", "", "bytes 0-99999999999999999999/1"}) {
    EXPECT_FALSE(parse_content_range(bad)) << bad;
  }
}

TEST(PullSlices, ARangeMapsToTheSlicesItMeets) {
  EXPECT_EQ(slices_of({0, 0}, kMiB).first, 0u);
  EXPECT_EQ(slices_of({0, 0}, kMiB).last, 0u);
  const SliceSpan middle = slices_of({32 * kMiB, 32 * kMiB + 99}, kMiB);
  EXPECT_EQ(middle.first, 32u);
  EXPECT_EQ(middle.last, 32u);
  const SliceSpan crossing = slices_of({kMiB - 1, kMiB}, kMiB);
  EXPECT_EQ(crossing.first, 0u);
  EXPECT_EQ(crossing.last, 1u);
}

TEST(PullSlices, TheLastSliceIsShorterAndEachCutIsWithinItsSlice) {
  const std::uint64_t length = 2 * kMiB + 10;
  EXPECT_EQ(slice_bounds(1, kMiB, length).first, kMiB);
  EXPECT_EQ(slice_bounds(1, kMiB, length).last, 2 * kMiB - 1);
  EXPECT_EQ(slice_bounds(2, kMiB, length).length(), 10u);
  const http::ByteRange range{kMiB - 5, 2 * kMiB + 3};
  const http::ByteRange first = cut_in_slice(range, 0, kMiB, length);
  EXPECT_EQ(first.first, kMiB - 5);
  EXPECT_EQ(first.last, kMiB - 1);
  const http::ByteRange middle = cut_in_slice(range, 1, kMiB, length);
  EXPECT_EQ(middle.first, 0u);
  EXPECT_EQ(middle.last, kMiB - 1);
  const http::ByteRange last = cut_in_slice(range, 2, kMiB, length);
  EXPECT_EQ(last.first, 0u);
  EXPECT_EQ(last.last, 3u);
}

TEST(PullSlices, TheOriginIsAskedForAlignedSlices) {
  EXPECT_EQ(slice_range_value(0, kMiB), "bytes=0-1048575");
  EXPECT_EQ(slice_range_value(3, kMiB), "bytes=3145728-4194303");
  EXPECT_EQ(first_byte_asked("bytes=33554432-33554531"), 32 * kMiB);
  EXPECT_EQ(first_byte_asked("bytes=5000000-"), 5'000'000u);
  EXPECT_EQ(first_byte_asked("bytes=7-9,100-200"), 7u);
  EXPECT_EQ(first_byte_asked("bytes=-500"), 0u);  // a suffix: its start is not known yet
  EXPECT_EQ(first_byte_asked("items=5-9"), 0u);
}

TEST(PullSlices, SliceKeysCannotBeARequestTargetAndNameTheVersion) {
  const std::string key = slice_key("0 /video.mp4", "\"v1\"", 1 << 20, 7);
  EXPECT_EQ(key.rfind("0 /video.mp4\n", 0), 0u);
  EXPECT_NE(key, slice_key("0 /video.mp4", "\"v2\"", 1 << 20, 7));
  EXPECT_NE(key, slice_key("0 /video.mp4", "\"v1\"", 1 << 20, 8));
  EXPECT_NE(key, slice_key("0 /video.mp4", "\"v1\"", 2 << 20, 7));  // other bytes
}

TEST(PullSlices, ALargeObjectWithAStrongETagIsSliced) {
  const auto head = make_slice_head(slice_answer("bytes 0-1048575/67108864"), kRules, {100, 100}, 100);
  ASSERT_TRUE(head);
  EXPECT_TRUE(head->sliced());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->length, 64 * kMiB);
  EXPECT_EQ(head->slice_size, kMiB);
  EXPECT_EQ(head->stored.facts.content_length, std::optional<std::int64_t>(64 * kMiB));
  EXPECT_EQ(head->stored.facts.etag, "\"v1\"");
  EXPECT_TRUE(head->body->bytes.empty());
  for (const freshness::StoredField& f : head->fields) EXPECT_NE(f.name, "Content-Range");
  // A later slice answered first (a seek) makes the head just as well.
  EXPECT_TRUE(make_slice_head(slice_answer("bytes 33554432-34603007/67108864"), kRules, {100, 100}, 100));
  // The last slice is shorter.
  EXPECT_TRUE(make_slice_head(slice_answer("bytes 9437184-9437193/9437194"), kRules, {100, 100}, 100));
}

TEST(PullSlices, WhatIsNotSliced) {
  const freshness::ExchangeTimes t{100, 100};
  EXPECT_FALSE(make_slice_head(slice_answer("bytes 0-1048575/8388607"), kRules, t, 100));  // under pull-slice-min
  EXPECT_FALSE(make_slice_head(slice_answer("bytes 0-1048575/67108864", "W/\"v1\""), kRules, t, 100));  // weak
  EXPECT_FALSE(make_slice_head(slice_answer("bytes 0-1048575/67108864", ""), kRules, t, 100));  // no ETag
  EXPECT_FALSE(make_slice_head(slice_answer("bytes 0-1048575/67108864", "\"v1\"", "Accept-Encoding"), kRules, t, 100));
  EXPECT_FALSE(make_slice_head(slice_answer("bytes 5-1048575/67108864"), kRules, t, 100));   // not aligned
  EXPECT_FALSE(make_slice_head(slice_answer("bytes 0-99/67108864"), kRules, t, 100));        // not a whole slice
  EXPECT_FALSE(make_slice_head(slice_answer("bytes 0-1048575/*"), kRules, t, 100));          // no length
  auto no_store = slice_answer("bytes 0-1048575/67108864");
  no_store.fields[1].value = "no-store";
  EXPECT_FALSE(make_slice_head(no_store, kRules, t, 100));
  SliceRules off = kRules;
  off.size = 0;
  EXPECT_FALSE(make_slice_head(slice_answer("bytes 0-1048575/67108864"), off, t, 100));
  auto whole = slice_answer("bytes 0-1048575/67108864");
  whole.status = 200;
  EXPECT_FALSE(make_slice_head(whole, kRules, t, 100));
  // A length over pull-max-body (an outside attack announced 2^64-1): not an object we serve.
  SliceRules bounded = kRules;
  bounded.max = 64 * kMiB;
  EXPECT_TRUE(make_slice_head(slice_answer("bytes 0-1048575/67108864"), bounded, t, 100));
  EXPECT_FALSE(make_slice_head(slice_answer("bytes 0-1048575/67108865"), bounded, t, 100));
  EXPECT_FALSE(make_slice_head(slice_answer("bytes 0-1048575/18446744073709551615"), bounded, t, 100));
}

// Every slice is held to the first slice's rules (found by an outside attack:
// a later slice's no-store, Set-Cookie, coding or Vary was stored).
TEST(PullSlices, ALaterSliceIsKeptOnlyUnderTheFirstSlicesRules) {
  const freshness::ExchangeTimes t{100, 100};
  const auto head = make_slice_head(slice_answer("bytes 0-1048575/67108864"), kRules, t, 100);
  ASSERT_TRUE(head);
  const std::string one = "bytes 1048576-2097151/67108864";
  EXPECT_EQ(judge_slice(slice_answer(one), *head, 1, {}, t, 100), SliceFate::store);
  EXPECT_EQ(judge_slice(slice_answer(one, "\"v1\"", "Accept-Encoding"), *head, 1, {}, t, 100), SliceFate::pass);
  for (const char* cc : {"no-store", "private"}) {
    auto a = slice_answer(one);
    a.fields[1].value = cc;
    EXPECT_EQ(judge_slice(a, *head, 1, {}, t, 100), SliceFate::pass) << cc;
  }
  auto cookie = slice_answer(one);
  cookie.fields.push_back({"Set-Cookie", "s=1"});
  EXPECT_EQ(judge_slice(cookie, *head, 1, {}, t, 100), SliceFate::pass);
  auto coded = slice_answer(one);
  coded.fields.push_back({"Content-Encoding", "gzip"});
  EXPECT_EQ(judge_slice(coded, *head, 1, {}, t, 100), SliceFate::foreign);
  EXPECT_EQ(judge_slice(slice_answer(one, "\"v2\""), *head, 1, {}, t, 100), SliceFate::foreign);
  for (int gone : {200, 404, 410, 416})
    EXPECT_EQ(judge_slice(answer(gone, {}), *head, 1, {}, t, 100), SliceFate::foreign) << gone;
  for (int failed : {500, 502, 503, 304})
    EXPECT_EQ(judge_slice(answer(failed, {}), *head, 1, {}, t, 100), SliceFate::failed) << failed;
}

TEST(PullSlices, A206OfTheWholeObjectStandsForIts200) {
  const auto whole = whole_of(slice_answer("bytes 0-307199/307200"));
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  int lengths = 0;
  for (const upstream::OriginField& f : whole->fields) {
    EXPECT_NE(f.name, "Content-Range");
    if (f.name == "Content-Length") {
      ++lengths;
      EXPECT_EQ(f.value, "307200");
    }
  }
  EXPECT_EQ(lengths, 1);
  EXPECT_FALSE(whole_of(slice_answer("bytes 0-1048575/3145728")));  // a part
  EXPECT_FALSE(whole_of(slice_answer("bytes 1-307199/307200")));
  auto ok = slice_answer("bytes 0-307199/307200");
  ok.status = 200;
  EXPECT_FALSE(whole_of(ok));
}

TEST(PullSlices, ASliceIsStoredOnlyIfItIsThatSliceOfThatVersion) {
  const auto head = make_slice_head(slice_answer("bytes 0-1048575/67108864"), kRules, {100, 100}, 100);
  ASSERT_TRUE(head);
  EXPECT_TRUE(is_slice_of(slice_answer("bytes 1048576-2097151/67108864"), *head, 1));
  EXPECT_FALSE(is_slice_of(slice_answer("bytes 1048576-2097151/67108864"), *head, 2));  // another slice
  EXPECT_FALSE(is_slice_of(slice_answer("bytes 1048576-2097151/67108865"), *head, 1));  // another length
  EXPECT_FALSE(is_slice_of(slice_answer("bytes 1048576-2097150/67108864"), *head, 1));  // short
  EXPECT_FALSE(is_slice_of(slice_answer("bytes 1048576-2097151/67108864", "\"v2\""), *head, 1));
  EXPECT_FALSE(is_slice_of(slice_answer("bytes 1048576-2097151/67108864", "W/\"v1\""), *head, 1));
  auto whole = slice_answer("bytes 1048576-2097151/67108864");
  whole.status = 200;
  EXPECT_FALSE(is_slice_of(whole, *head, 1));  // If-Range failed: the object changed
}

}  // namespace
}  // namespace relais::pull
