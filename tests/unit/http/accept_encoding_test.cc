// Accept-Encoding: q-values per coding, and the variant we pick from them.
#include "edge/http/accept_encoding.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace relais::http {
namespace {

// q for identity, br, zstd, gzip.
using Q = std::array<int, kEncodingCount>;

Q qs(const AcceptEncoding& a) { return {a.q[0], a.q[1], a.q[2], a.q[3]}; }

struct Row {
  std::string value;
  Q expected;
};

TEST(AcceptEncoding, ParsesEachValueIntoQValues) {
  const std::vector<Row> rows = {
      {"", {1000, 0, 0, 0}},
      {"gzip", {1000, 0, 0, 1000}},
      {"br, gzip", {1000, 1000, 0, 1000}},
      {"BR , GZip ,ZSTD", {1000, 1000, 1000, 1000}},
      {"x-gzip", {1000, 0, 0, 1000}},
      {"gzip;q=0.5", {1000, 0, 0, 500}},
      {"gzip; q=0.5", {1000, 0, 0, 500}},
      {"gzip ;\tQ=0.5", {1000, 0, 0, 500}},
      {"gzip;q=0.123", {1000, 0, 0, 123}},
      {"gzip;q=0.1", {1000, 0, 0, 100}},
      {"gzip;q=0.", {1000, 0, 0, 0}},
      {"gzip;q=1.000", {1000, 0, 0, 1000}},
      {"gzip;q=0", {1000, 0, 0, 0}},
      {"gzip;q=0.1234", {1000, 0, 0, 0}},   // 4 decimals: malformed, skipped
      {"gzip;q=1.001", {1000, 0, 0, 0}},    // above 1: malformed
      {"gzip;q=2", {1000, 0, 0, 0}},
      {"gzip;q=-1", {1000, 0, 0, 0}},
      {"gzip;q=", {1000, 0, 0, 0}},
      {"gzip;q = 0.5", {1000, 0, 0, 0}},
      {"gzip;level=5", {1000, 0, 0, 0}},
      {"gzip;q=0.5;x=1", {1000, 0, 0, 0}},
      {"*", {1000, 1000, 1000, 1000}},
      {"*;q=0.5", {500, 500, 500, 500}},
      {"br, *;q=0.2", {200, 1000, 200, 200}},
      {"*;q=0", {0, 0, 0, 0}},
      {"*;q=0, identity", {1000, 0, 0, 0}},
      {"*;q=0, gzip", {0, 0, 0, 1000}},
      {"identity;q=0", {0, 0, 0, 0}},
      {"identity;q=0, br", {0, 1000, 0, 0}},
      {"gzip;q=0, *", {1000, 1000, 1000, 0}},
      {"deflate, compress, sdch", {1000, 0, 0, 0}},
      {",,, ,gzip,,", {1000, 0, 0, 1000}},
      {"gzip, gzip;q=0", {1000, 0, 0, 1000}},  // first element wins
      {"gzip;q=0, x-gzip", {1000, 0, 0, 0}},
      {"g zip", {1000, 0, 0, 0}},
      {";q=1", {1000, 0, 0, 0}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(qs(parse_accept_encoding(row.value, true)), row.expected) << "'" << row.value << "'";
  }
}

TEST(AcceptEncoding, AbsentHeaderMeansIdentityOnly) {
  EXPECT_EQ(qs(parse_accept_encoding("br, gzip", false)), (Q{1000, 0, 0, 0}));
  EXPECT_EQ(qs(parse_accept_encoding("", false)), (Q{1000, 0, 0, 0}));
}

std::vector<Variant> course_variants() {
  // As in a manifest: identity first, then only smaller ones.
  return {{Encoding::identity, {}, 1000}, {Encoding::br, {}, 300}, {Encoding::zstd, {}, 350},
          {Encoding::gzip, {}, 400}};
}

TEST(AcceptEncoding, ChoosesTheSmallestAcceptableVariant) {
  const std::vector<Variant> v = course_variants();
  struct Choice { std::string value; int index; };
  const Choice rows[] = {
      {"", 0},
      {"gzip", 3},
      {"gzip, zstd", 2},
      {"gzip, zstd, br", 1},
      {"br;q=0.1, gzip", 1},  // size first: q only breaks ties
      {"*", 1},
      {"*;q=0, gzip", 3},
      {"identity;q=0, gzip", 3},
      {"identity;q=0", -1},
      {"*;q=0", -1},
      {"br;q=0, zstd;q=0, gzip;q=0, identity;q=0", -1},
  };
  for (const Choice& row : rows) {
    EXPECT_EQ(choose_variant(parse_accept_encoding(row.value, true), v), row.index) << row.value;
  }
}

TEST(AcceptEncoding, BreaksSizeTiesByQThenEncodingOrder) {
  const std::vector<Variant> v = {{Encoding::identity, {}, 100}, {Encoding::gzip, {}, 50},
                                  {Encoding::zstd, {}, 50}, {Encoding::br, {}, 50}};
  EXPECT_EQ(choose_variant(parse_accept_encoding("gzip, zstd;q=0.5, br;q=0.5", true), v), 1);
  EXPECT_EQ(choose_variant(parse_accept_encoding("gzip, zstd, br", true), v), 3);
  EXPECT_EQ(choose_variant(parse_accept_encoding("gzip;q=0.5, zstd", true), v), 2);
}

TEST(AcceptEncoding, NoVariantsIsNotAcceptable) {
  EXPECT_EQ(choose_variant(parse_accept_encoding("*", true), {}), -1);
}

}  // namespace
}  // namespace relais::http
