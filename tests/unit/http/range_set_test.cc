// RangeSet: Range headers resolved against a representation size.
#include "edge/http/range_set.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace relais::http {
namespace {

using Kind = RangeSet::Kind;
using Pairs = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

Pairs pairs(const RangeSet& r) {
  Pairs p;
  for (std::size_t i = 0; i < r.count; ++i) p.emplace_back(r.ranges[i].first, r.ranges[i].last);
  return p;
}

struct Row {
  std::string value;
  std::uint64_t size;
  Kind kind;
  Pairs ranges;  // when satisfiable
};

TEST(RangeSet, ResolvesEachHeader) {
  const std::vector<Row> rows = {
      {"bytes=0-499", 1000, Kind::satisfiable, {{0, 499}}},
      {"bytes=500-", 1000, Kind::satisfiable, {{500, 999}}},
      {"bytes=-500", 1000, Kind::satisfiable, {{500, 999}}},
      {"bytes=-1000", 1000, Kind::satisfiable, {{0, 999}}},
      {"bytes=-5000", 1000, Kind::satisfiable, {{0, 999}}},   // suffix longer: whole
      {"bytes=-1", 1000, Kind::satisfiable, {{999, 999}}},
      {"bytes=-0", 1000, Kind::unsatisfiable, {}},
      {"bytes=0-0", 1000, Kind::satisfiable, {{0, 0}}},
      {"bytes=999-999", 1000, Kind::satisfiable, {{999, 999}}},
      {"bytes=0-5000", 1000, Kind::satisfiable, {{0, 999}}},  // clamped
      {"bytes=1000-", 1000, Kind::unsatisfiable, {}},
      {"bytes=1000-2000", 1000, Kind::unsatisfiable, {}},
      {"bytes=1000-2000, 0-1", 1000, Kind::satisfiable, {{0, 1}}},
      {"Bytes=0-1", 1000, Kind::satisfiable, {{0, 1}}},
      {"BYTES=0-1", 1000, Kind::satisfiable, {{0, 1}}},
      {"bytes=0-1,4-5", 1000, Kind::satisfiable, {{0, 1}, {4, 5}}},
      {"bytes=4-5 ,\t0-1", 1000, Kind::satisfiable, {{0, 1}, {4, 5}}},
      {"bytes=0-1,2-3", 1000, Kind::satisfiable, {{0, 3}}},      // adjacent: coalesced
      {"bytes=0-10,5-20", 1000, Kind::satisfiable, {{0, 20}}},   // overlapping
      {"bytes=5-20,0-10,30-40", 1000, Kind::satisfiable, {{0, 20}, {30, 40}}},
      {"bytes=0-1,,2-3", 1000, Kind::satisfiable, {{0, 3}}},     // empty element
      {"bytes=-200,0-", 1000, Kind::satisfiable, {{0, 999}}},
      {"bytes=0-0,-1", 1, Kind::satisfiable, {{0, 0}}},
      {"bytes=0-", 0, Kind::unsatisfiable, {}},
      {"bytes=-1", 0, Kind::unsatisfiable, {}},
      {"bytes=-0", 0, Kind::unsatisfiable, {}},
      {"bytes=5-4", 1000, Kind::ignore, {}},      // first > last: invalid
      {"bytes=0-1,5-4", 1000, Kind::ignore, {}},  // one invalid spec: whole header
      {"items=0-1", 1000, Kind::ignore, {}},
      {"bytes 0-1", 1000, Kind::ignore, {}},
      {"bytes = 0-1", 1000, Kind::ignore, {}},
      {"bytes=", 1000, Kind::ignore, {}},
      {"bytes=,", 1000, Kind::ignore, {}},
      {"bytes=-", 1000, Kind::ignore, {}},
      {"bytes=0 - 1", 1000, Kind::ignore, {}},
      {"bytes=a-1", 1000, Kind::ignore, {}},
      {"bytes=0-1a", 1000, Kind::ignore, {}},
      {"bytes=+0-1", 1000, Kind::ignore, {}},
      {"bytes=--1", 1000, Kind::ignore, {}},
      {"bytes=0-1-2", 1000, Kind::ignore, {}},
      {"", 1000, Kind::ignore, {}},
      {"bytes=9999999999999999999-", 1000, Kind::unsatisfiable, {}},      // 19 digits: a number
      {"bytes=0-9999999999999999999", 1000, Kind::satisfiable, {{0, 999}}},
      {"bytes=18446744073709551615-", 1000, Kind::ignore, {}},           // 20 digits: invalid
      {"bytes=0-18446744073709551616", 1000, Kind::ignore, {}},
      {"bytes=-99999999999999999999999", 1000, Kind::ignore, {}},
      {"bytes=0-", UINT64_MAX, Kind::satisfiable, {{0, UINT64_MAX - 1}}},
      {"bytes=-1", UINT64_MAX, Kind::satisfiable, {{UINT64_MAX - 1, UINT64_MAX - 1}}},
  };
  for (const Row& row : rows) {
    const RangeSet r = parse_range(row.value, row.size, 16);
    EXPECT_EQ(r.kind, row.kind) << row.value << " size " << row.size;
    if (row.kind == Kind::satisfiable) {
      EXPECT_EQ(pairs(r), row.ranges) << row.value;
    } else {
      EXPECT_EQ(r.count, 0u) << row.value;
    }
  }
}

std::string many_ranges(int n, std::uint64_t step, std::uint64_t len) {
  std::string v = "bytes=";
  for (int i = 0; i < n; ++i) {
    if (i) v += ",";
    v += std::to_string(i * step) + "-" + std::to_string(i * step + len - 1);
  }
  return v;
}

TEST(RangeSet, ThousandOverlappingRangesAreUnsatisfiable) {
  // CVE-2011-3192 ("Apache Killer") sent bytes=0-,5-0,5-1,...: "5-0" has
  // first > last, so the whole header is invalid and ignored (a plain 200).
  std::string killer = "bytes=0-";
  for (int i = 0; i < 1000; ++i) killer += ",5-" + std::to_string(i);
  EXPECT_EQ(parse_range(killer, 10000, 16).kind, Kind::ignore);
  // The same flood with valid ranges is refused before any sorting.
  std::string v = "bytes=0-";
  for (int i = 1; i < 1000; ++i) v += ",5-" + std::to_string(5 + i);
  EXPECT_EQ(parse_range(v, 10000, 16).kind, Kind::unsatisfiable);
  EXPECT_EQ(parse_range(many_ranges(1000, 1, 100), 10000, 16).kind, Kind::unsatisfiable);
}

TEST(RangeSet, RangesParsedAtTheCapAreCoalescedOneMoreIsUnsatisfiable) {
  const RangeSet at = parse_range(many_ranges(kMaxRangesCap, 1, 10), 10000, 16);
  EXPECT_EQ(at.kind, Kind::satisfiable);
  EXPECT_EQ(pairs(at), (Pairs{{0, kMaxRangesCap + 8}}));
  EXPECT_EQ(parse_range(many_ranges(kMaxRangesCap + 1, 1, 10), 10000, 16).kind, Kind::unsatisfiable);
}

TEST(RangeSet, MaxRangesCountsAfterCoalescing) {
  EXPECT_EQ(parse_range(many_ranges(3, 10, 2), 1000, 3).kind, Kind::satisfiable);
  EXPECT_EQ(parse_range(many_ranges(4, 10, 2), 1000, 3).kind, Kind::unsatisfiable);
  EXPECT_EQ(parse_range(many_ranges(10, 2, 2), 1000, 3).kind, Kind::satisfiable);  // adjacent: one
  EXPECT_EQ(parse_range("bytes=0-1", 1000, 0).kind, Kind::ignore);  // ranges disabled
}

TEST(RangeSet, UnsortedSmallRangesSummingPastSizeCoalesce) {
  // Each range is small, but together they ask for the file several times over.
  std::string v = "bytes=";
  for (int i = 9; i >= 0; --i) v += std::to_string(i * 10) + "-" + std::to_string(i * 10 + 29) + ",";
  const RangeSet r = parse_range(v, 100, 16);
  ASSERT_EQ(r.kind, Kind::satisfiable);
  EXPECT_EQ(pairs(r), (Pairs{{0, 99}}));
}

TEST(RangeSet, SyntaxErrorAfterTheCapStillIgnores) {
  EXPECT_EQ(parse_range(many_ranges(100, 1, 1) + ",x", 1000, 16).kind, Kind::ignore);
}

}  // namespace
}  // namespace relais::http
