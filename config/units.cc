#include "config/units.h"

#include <charconv>
#include <utility>

namespace relais {
namespace {

struct Number {
  std::uint64_t value;
  std::string_view suffix;
};

std::optional<Number> split_number(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr == text.data()) return std::nullopt;
  return Number{value, std::string_view(ptr, static_cast<std::size_t>(end - ptr))};
}

std::optional<std::uint64_t> scale(std::uint64_t value, std::uint64_t factor) {
  if (factor != 0 && value > UINT64_MAX / factor) return std::nullopt;
  return value * factor;
}

}  // namespace

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
  auto n = split_number(text);
  if (!n) return std::nullopt;
  std::string_view s = n->suffix;
  if (s.ends_with("iB")) s.remove_suffix(2);
  else if (s.ends_with("B") && s.size() == 2) s.remove_suffix(1);
  else if (s == "B") s = {};
  if (s.empty()) return n->value;
  if (s.size() != 1) return std::nullopt;
  switch (s[0]) {
    case 'k': case 'K': return scale(n->value, 1ull << 10);
    case 'm': case 'M': return scale(n->value, 1ull << 20);
    case 'g': case 'G': return scale(n->value, 1ull << 30);
    case 't': case 'T': return scale(n->value, 1ull << 40);
    default: return std::nullopt;
  }
}

std::optional<std::uint64_t> parse_duration_ms(std::string_view text) {
  auto n = split_number(text);
  if (!n) return std::nullopt;
  std::string_view s = n->suffix;
  if (s.empty() || s == "s") return scale(n->value, 1000);
  if (s == "ms") return n->value;
  if (s == "m") return scale(n->value, 60 * 1000);
  if (s == "h") return scale(n->value, 3600 * 1000);
  if (s == "d") return scale(n->value, 86'400 * 1000);
  return std::nullopt;
}

std::string format_byte_size(std::uint64_t bytes) {
  static constexpr std::pair<std::uint64_t, char> kUnits[] = {{1ull << 40, 'T'}, {1ull << 30, 'G'}, {1ull << 20, 'M'}, {1ull << 10, 'K'}};
  for (auto [factor, suffix] : kUnits) {
    if (bytes != 0 && bytes % factor == 0) return std::to_string(bytes / factor) + suffix;
  }
  return std::to_string(bytes);
}

std::string format_duration_ms(std::uint64_t ms) {
  static constexpr std::pair<std::uint64_t, const char*> kUnits[] = {
      {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}};
  for (auto [factor, suffix] : kUnits) {
    if (ms != 0 && ms % factor == 0) return std::to_string(ms / factor) + suffix;
  }
  return std::to_string(ms) + (ms == 0 ? "s" : "ms");
}

}  // namespace relais
