// HTTP dates (RFC 9110 §5.6.7): IMF-fixdate out, the three formats in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace relais::http {

inline constexpr std::size_t kHttpDateLength = 29;  // "Sun, 06 Nov 1994 08:49:37 GMT"

// Writes exactly kHttpDateLength bytes (no terminator). No locale, no
// allocation, no libc time functions. Times outside years 0000..9999 (which
// only a hostile manifest could carry) are clamped to that range.
void format_http_date(std::int64_t unix_seconds, char* out);

// IMF-fixdate, RFC 850 and asctime forms as RFC 9110 §5.6.7 spells them
// (GMT, single spaces, fixed widths), with day and month names and GMT in any
// case and the day name not checked against the date; nullopt on anything
// else, including impossible dates ("31 Feb", hour 24). A leap second (":60")
// is accepted.
// now resolves RFC 850's two-digit year: the year with those digits that is
// not more than 50 years after now (§5.6.7).
std::optional<std::int64_t> parse_http_date(std::string_view text, std::int64_t now);
// Same, with now = the wall clock (only RFC 850 dates depend on it).
std::optional<std::int64_t> parse_http_date(std::string_view text);

}  // namespace relais::http
