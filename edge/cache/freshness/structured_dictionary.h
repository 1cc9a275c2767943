// Structured Field Dictionary parsing (RFC 8941 §4.2.2), as much as a targeted
// cache-control field (RFC 9213) needs: every bare item type is recognised so
// that a valid field is never refused, parameters are checked and dropped,
// inner lists are refused (no cache directive takes one). A later member with
// the same key replaces an earlier one (§4.2.2 step 2.5). Bounded: at most
// kMaxMembers members, or the field is refused.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relais::freshness {

struct SfMember {
  enum class Type : unsigned char { boolean, integer, decimal, string, token, bytes };
  std::string key;
  Type type = Type::boolean;
  bool boolean = true;  // Type::boolean
  std::string text;     // integer/decimal digits, string contents, token, base64
};

inline constexpr std::size_t kMaxSfMembers = 64;

// nullopt on any syntax error (the whole field is then ignored, §4.2).
std::optional<std::vector<SfMember>> parse_sf_dictionary(std::string_view value);

}  // namespace relais::freshness
