// 256-entry byte classes for the HTTP layer's parsers: one table load per
// byte instead of a chain of comparisons (or a strchr) on the hot path.
#pragma once

#include <array>
#include <string_view>

namespace relais::http {

// ASCII letters and digits, plus the bytes of extra.
constexpr std::array<bool, 256> alnum_and(std::string_view extra) {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : extra) t[static_cast<unsigned char>(c)] = true;
  return t;
}

// Visible ASCII (0x21-0x7E: no controls, no space, no raw non-ASCII) but
// the bytes of excluded.
constexpr std::array<bool, 256> visible_except(std::string_view excluded) {
  std::array<bool, 256> t{};
  for (int c = 0x21; c < 0x7F; ++c) t[c] = true;
  for (char c : excluded) t[static_cast<unsigned char>(c)] = false;
  return t;
}

}  // namespace relais::http
