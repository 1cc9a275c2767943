// Optional whitespace (OWS, RFC 9110 §5.6.3): SP and HTAB around field
// values and list elements. Shared by every parser of the HTTP layer.
#pragma once

#include <string_view>

namespace relais::http {

constexpr bool is_ows(char c) { return c == ' ' || c == '\t'; }

constexpr std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace relais::http
