// ASCII case folding for header names and tokens (RFC 9110 §5.1: field
// names are case-insensitive; so are the tokens we compare: "chunked",
// "bytes", "br"). Shared by the HTTP/1 parser and the neutral semantics.
#pragma once

#include <string_view>

namespace relais::http {

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

constexpr bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace relais::http
