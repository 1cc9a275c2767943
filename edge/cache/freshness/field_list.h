// Field values as lists (RFC 9110 §5.6.1): `#element`, separated by commas,
// with OWS, where a comma inside a quoted-string does not separate. Empty
// elements are skipped, as §5.6.1.2 requires of a recipient.
#pragma once

#include <string>
#include <string_view>

#include "edge/http/ascii_case.h"
#include "edge/http/whitespace.h"

namespace relais::freshness {

// Calls fn(element) for each non-empty element, OWS trimmed. A quoted-string
// left open runs to the end of the value (one malformed element, not a crash).
template <typename Fn>
void for_each_list_element(std::string_view value, Fn&& fn) {
  std::size_t start = 0;
  bool quoted = false;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    if (i < value.size()) {
      const char c = value[i];
      if (quoted && c == '\\') { ++i; continue; }
      if (c == '"') quoted = !quoted;
      if (quoted || c != ',') continue;
    }
    const std::string_view element = http::trim_ows(value.substr(start, i - start));
    if (!element.empty()) fn(element);
    start = i + 1;
  }
}

// Field names and directive names are compared and stored in lower case.
inline std::string ascii_lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = http::ascii_lower(c);
  return out;
}

}  // namespace relais::freshness
