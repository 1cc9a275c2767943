// HTTP dates (RFC 9110 §5.6.7). See http_date.h.
//
// Calendar arithmetic is Howard Hinnant's days_from_civil / civil_from_days
// (proleptic Gregorian, exact for any int64 day count we accept), so neither
// formatting nor parsing touches gmtime, strftime or the locale.
#include "edge/http/http_date.h"

#include <ctime>

#include "edge/http/ascii_case.h"

namespace relais::http {
namespace {

constexpr std::string_view kDays[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::string_view kLongDays[7] = {"Sunday", "Monday", "Tuesday", "Wednesday",
                                           "Thursday", "Friday", "Saturday"};
constexpr std::string_view kMonths[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil { std::int64_t year; unsigned month; unsigned day; };

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

int weekday(std::int64_t days) { return static_cast<int>(((days % 7) + 11) % 7); }  // 1970-01-01: Thursday

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kLen[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kLen[m - 1];
}

void put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// n DIGITs exactly; -1 otherwise.
int digits(std::string_view s) {
  if (s.empty()) return -1;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Names compare without case: "THU", "aug" and "gmt" are what some servers
// send, and RFC 9110 §5.6.7 encourages recipients to be robust; the day
// name must still be one (its weekday is not checked against the date).
int index_of(std::string_view name, const std::string_view* table, int n) {
  for (int i = 0; i < n; ++i) {
    if (equals_ignore_case(table[i], name)) return i;
  }
  return -1;
}

bool is_gmt(std::string_view s) { return equals_ignore_case(s, " GMT"); }

// Fields as read from the text, checked and combined once.
struct Fields {
  int wday = -1;
  std::int64_t year = -1;
  int month = -1;  // 0..11
  int day = -1, hour = -1, minute = -1, second = -1;
};

// time-of-day = hour ":" minute ":" second, 8 characters.
bool parse_time(std::string_view t, Fields& f) {
  if (t.size() != 8 || t[2] != ':' || t[5] != ':') return false;
  f.hour = digits(t.substr(0, 2));
  f.minute = digits(t.substr(3, 2));
  f.second = digits(t.substr(6, 2));
  return f.hour >= 0 && f.minute >= 0 && f.second >= 0;
}

std::optional<std::int64_t> combine(const Fields& f) {
  if (f.wday < 0 || f.year < 0 || f.month < 0 || f.day < 1) return std::nullopt;
  const auto month = static_cast<unsigned>(f.month + 1);
  if (static_cast<unsigned>(f.day) > days_in_month(f.year, month)) return std::nullopt;
  if (f.hour > 23 || f.minute > 59 || f.second > 60) return std::nullopt;
  // A day name that is not the date's weekday (a server's calendar bug) is
  // taken as the date says: rejecting it would make Expires "in the past"
  // (RFC 9111 §5.3) for a field whose every date part is well formed.
  const std::int64_t days = days_from_civil(f.year, month, static_cast<unsigned>(f.day));
  return days * 86400 + f.hour * 3600 + f.minute * 60 + f.second;
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<std::int64_t> parse_imf_fixdate(std::string_view s) {
  if (s.size() != 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      !is_gmt(s.substr(25))) {
    return std::nullopt;
  }
  Fields f;
  f.wday = index_of(s.substr(0, 3), kDays, 7);
  f.day = digits(s.substr(5, 2));
  f.month = index_of(s.substr(8, 3), kMonths, 12);
  f.year = digits(s.substr(12, 4));
  if (!parse_time(s.substr(17, 8), f)) return std::nullopt;
  return combine(f);
}

// "Sunday, 06-Nov-94 08:49:37 GMT"
std::optional<std::int64_t> parse_rfc850(std::string_view s, std::int64_t now) {
  const std::size_t comma = s.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  Fields f;
  f.wday = index_of(s.substr(0, comma), kLongDays, 7);
  s.remove_prefix(comma);
  if (s.size() != 24 || s.substr(0, 2) != ", " || s[4] != '-' || s[8] != '-' || s[11] != ' ' ||
      !is_gmt(s.substr(20))) {
    return std::nullopt;
  }
  f.day = digits(s.substr(2, 2));
  f.month = index_of(s.substr(5, 3), kMonths, 12);
  const int yy = digits(s.substr(9, 2));
  if (yy < 0 || !parse_time(s.substr(12, 8), f)) return std::nullopt;
  // §5.6.7: a two-digit year more than 50 years in the future is the most
  // recent past year with the same last two digits.
  const std::int64_t this_year = civil_from_days(now / 86400).year;
  std::int64_t year = this_year - this_year % 100 + yy;
  if (year > this_year + 50) year -= 100;
  else if (year + 100 <= this_year + 50) year += 100;
  f.year = year;
  return combine(f);
}

// "Sun Nov  6 08:49:37 1994"
std::optional<std::int64_t> parse_asctime(std::string_view s) {
  if (s.size() != 24 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ') return std::nullopt;
  Fields f;
  f.wday = index_of(s.substr(0, 3), kDays, 7);
  f.month = index_of(s.substr(4, 3), kMonths, 12);
  f.day = s[8] == ' ' ? digits(s.substr(9, 1)) : digits(s.substr(8, 2));  // ( 2DIGIT / SP DIGIT )
  f.year = digits(s.substr(20, 4));
  if (!parse_time(s.substr(11, 8), f)) return std::nullopt;
  return combine(f);
}

}  // namespace

void format_http_date(std::int64_t unix_seconds, char* out) {
  const std::int64_t kMin = days_from_civil(0, 1, 1) * 86400;
  const std::int64_t kMax = days_from_civil(9999, 12, 31) * 86400 + 86399;
  if (unix_seconds < kMin) unix_seconds = kMin;
  if (unix_seconds > kMax) unix_seconds = kMax;
  std::int64_t days = unix_seconds / 86400;
  std::int64_t secs = unix_seconds % 86400;
  if (secs < 0) { secs += 86400; --days; }
  const Civil c = civil_from_days(days);
  const std::string_view wd = kDays[weekday(days)];
  const std::string_view mon = kMonths[c.month - 1];
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  out[0] = wd[0]; out[1] = wd[1]; out[2] = wd[2]; out[3] = ','; out[4] = ' ';
  put2(out + 5, c.day);
  out[7] = ' '; out[8] = mon[0]; out[9] = mon[1]; out[10] = mon[2]; out[11] = ' ';
  put2(out + 12, static_cast<unsigned>(c.year / 100));
  put2(out + 14, static_cast<unsigned>(c.year % 100));
  out[16] = ' ';
  put2(out + 17, static_cast<unsigned>(secs / 3600));
  out[19] = ':';
  put2(out + 20, static_cast<unsigned>(secs / 60 % 60));
  out[22] = ':';
  put2(out + 23, static_cast<unsigned>(secs % 60));
  out[25] = ' '; out[26] = 'G'; out[27] = 'M'; out[28] = 'T';
}

std::optional<std::int64_t> parse_http_date(std::string_view text, std::int64_t now) {
  // The forms are told apart by their fourth character (§5.6.7).
  if (text.size() < 4) return std::nullopt;
  if (text[3] == ',') return parse_imf_fixdate(text);
  if (text[3] == ' ') return parse_asctime(text);
  return parse_rfc850(text, now);
}

std::optional<std::int64_t> parse_http_date(std::string_view text) {
  return parse_http_date(text, static_cast<std::int64_t>(std::time(nullptr)));
}

}  // namespace relais::http
