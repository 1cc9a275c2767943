// HTTP dates: IMF-fixdate out; IMF-fixdate, RFC 850 and asctime in.
#include "edge/http/http_date.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace relais::http {
namespace {

constexpr std::int64_t k1994 = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
constexpr std::int64_t kNow2025 = 1750000000;  // 2025-06-15

std::string format(std::int64_t t) {
  std::string s(kHttpDateLength, '?');
  format_http_date(t, s.data());
  return s;
}

TEST(HttpDate, FormatsImfFixdate) {
  EXPECT_EQ(format(k1994), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(format(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(format(4102444799), "Thu, 31 Dec 2099 23:59:59 GMT");
  EXPECT_EQ(format(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
  EXPECT_EQ(format(253402300799), "Fri, 31 Dec 9999 23:59:59 GMT");
}

TEST(HttpDate, FormatClampsYearsOutsideFourDigits) {
  EXPECT_EQ(format(INT64_MAX), "Fri, 31 Dec 9999 23:59:59 GMT");
  EXPECT_EQ(format(INT64_MIN), format(-62167219200));  // 0000-01-01
  EXPECT_EQ(format(-62167219200), "Sat, 01 Jan 0000 00:00:00 GMT");
}

TEST(HttpDate, FormatThenParseRoundTrips) {
  for (std::int64_t t = -86400 * 400; t < 4102444800; t += 86400 * 37 + 3671) {
    EXPECT_EQ(parse_http_date(format(t), kNow2025), t) << format(t);
  }
}

struct Row {
  std::string text;
  std::optional<std::int64_t> expected;
};

TEST(HttpDate, ParsesTheThreeFormatsWithRobustNames) {
  const std::vector<Row> rows = {
      {"Sun, 06 Nov 1994 08:49:37 GMT", k1994},
      {"Sunday, 06-Nov-94 08:49:37 GMT", k1994},
      {"Sun Nov  6 08:49:37 1994", k1994},
      {"Sun Nov 06 08:49:37 1994", k1994},
      {"Sat, 31 Dec 2016 23:59:60 GMT", 1483228800},  // leap second
      {"Thu, 29 Feb 2024 12:00:00 GMT", 1709208000},
      {"Thu, 29 Feb 2023 12:00:00 GMT", std::nullopt},  // not a leap year
      {"Mon, 31 Apr 2024 00:00:00 GMT", std::nullopt},
      {"Sun, 00 Nov 1994 08:49:37 GMT", std::nullopt},
      {"Sun, 06 Nov 1994 24:00:00 GMT", std::nullopt},
      {"Sun, 06 Nov 1994 08:60:00 GMT", std::nullopt},
      {"Sun, 06 Nov 1994 08:49:61 GMT", std::nullopt},
      {"Mon, 06 Nov 1994 08:49:37 GMT", k1994},  // a wrong weekday: the date decides
      {"Thu Nov  6 08:49:37 1994", k1994},
      {"SUN, 06 Nov 1994 08:49:37 GMT", k1994},  // names and GMT in any case
      {"Sun, 06 nov 1994 08:49:37 GMT", k1994},
      {"Sun, 06 Nov 1994 08:49:37 gmt", k1994},
      {"SUNDAY, 06-NOV-94 08:49:37 GMT", k1994},
      {"Xyz, 06 Nov 1994 08:49:37 GMT", std::nullopt},  // still a day name
      {"Sun, 06 Nov 1994 08:49:37 UTC", std::nullopt},
      {"Sun, 6 Nov 1994 08:49:37 GMT", std::nullopt},
      {"Sun,  06 Nov 1994 08:49:37 GMT", std::nullopt},
      {"Sun, 06 Nov 1994 08:49:37 GMT ", std::nullopt},
      {" Sun, 06 Nov 1994 08:49:37 GMT", std::nullopt},
      {"Sun, 06 Nov 94 08:49:37 GMT", std::nullopt},
      {"Sun, 06 Nov 1994 8:49:37 GMT", std::nullopt},
      {"Sun, 06 Nov 1994 08:49:3x GMT", std::nullopt},
      {"Sun, 06 Nov +994 08:49:37 GMT", std::nullopt},
      {"Sun, 06 Xyz 1994 08:49:37 GMT", std::nullopt},
      {"Sun, 06-Nov-94 08:49:37 GMT", std::nullopt},       // short day name in RFC 850
      {"Sunday, 06-Nov-1994 08:49:37 GMT", std::nullopt},
      {"Sunday, 06 Nov 94 08:49:37 GMT", std::nullopt},
      {"Sundae, 06-Nov-94 08:49:37 GMT", std::nullopt},
      {"Sun Nov 6 08:49:37 1994", std::nullopt},
      {"Sun Nov  6 08:49:37 1994 ", std::nullopt},
      {"Sun Nov  6 08:49:37 94", std::nullopt},
      {"Sun Nov -6 08:49:37 1994", std::nullopt},
      {"", std::nullopt},
      {"Sun", std::nullopt},
      {"1994-11-06T08:49:37Z", std::nullopt},
      {"784111777", std::nullopt},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(parse_http_date(row.text, kNow2025), row.expected) << "'" << row.text << "'";
  }
}

TEST(HttpDate, Rfc850TwoDigitYearIsAtMostFiftyYearsAhead) {
  // RFC 9110 §5.6.7, seen from mid-2025.
  const std::int64_t jan1_2070 = 3155760000;
  const std::int64_t jan1_1976 = 189302400;
  EXPECT_EQ(parse_http_date("Wednesday, 01-Jan-70 00:00:00 GMT", kNow2025), jan1_2070);
  EXPECT_EQ(parse_http_date("Thursday, 01-Jan-76 00:00:00 GMT", kNow2025), jan1_1976);
  // Seen from 2090, "01-Jan-05" is 2105 (15 years ahead), not 2005.
  const std::int64_t now2090 = 3786912000;
  EXPECT_EQ(parse_http_date("Thursday, 01-Jan-05 00:00:00 GMT", now2090), 4260211200);
}

}  // namespace
}  // namespace relais::http
