// HTTP dates (RFC 9110 §5.6.7): IMF-fixdate out, the three formats in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace relais::http {

inline constexpr std::size_t kHttpDateLength = 29;  // "Sun, 06 Nov 1994 08:49:37 GMT"

// Writes exactly kHttpDateLength bytes (no terminator).
void format_http_date(std::int64_t unix_seconds, char* out);
// IMF-fixdate, RFC 850 and asctime forms; nullopt on anything else.
std::optional<std::int64_t> parse_http_date(std::string_view text);

}  // namespace relais::http
