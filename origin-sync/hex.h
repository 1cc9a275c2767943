// Hexadecimal digits: the one spelling of hashes, blob directory names and
// escapes written by both binaries.
#pragma once

namespace relais {

inline constexpr char kLowerHexDigits[] = "0123456789abcdef";

// The value of a hex digit, or -1. Manifests and blob names are written in
// lower case only and read back in one spelling (accept_upper false); other
// texts accept either case.
constexpr int hex_digit_value(char c, bool accept_upper = true) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (accept_upper && c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace relais
