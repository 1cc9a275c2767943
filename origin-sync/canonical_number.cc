#include "origin-sync/canonical_number.h"

#include <charconv>
#include <climits>

namespace relais {

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  // Canonical decimal only: no sign, no leading zero, no spaces.
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::int64_t> parse_i64(std::string_view s) {
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  auto magnitude = parse_u64(s);
  if (!magnitude || (negative && *magnitude == 0)) return std::nullopt;
  if (!negative && *magnitude > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  if (negative && *magnitude > static_cast<std::uint64_t>(INT64_MAX) + 1) return std::nullopt;
  return negative ? static_cast<std::int64_t>(0 - *magnitude) : static_cast<std::int64_t>(*magnitude);
}

std::optional<std::uint32_t> parse_u32(std::string_view s) {
  auto v = parse_u64(s);
  if (!v || *v > UINT32_MAX) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

}  // namespace relais
