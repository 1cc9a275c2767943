// A hexadecimal digit's value, for percent-encoding (RFC 3986 §2.1): the
// target normaliser decodes with it, the pull key checks escapes with it.
#pragma once

namespace relais::http {

constexpr int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace relais::http
