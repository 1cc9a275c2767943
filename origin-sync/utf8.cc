#include "origin-sync/utf8.h"

#include "origin-sync/hex.h"

namespace relais {
namespace {

// Returns the number of bytes of the valid sequence starting at text[i], 0 if
// invalid, or -1 if the sequence is valid so far but runs past the end.
int sequence_length(std::string_view text, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) return 1;
  int length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) low = 0xA0;   // overlong
    if (b0 == 0xED) high = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) low = 0x90;   // overlong
    if (b0 == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;  // continuation byte, C0/C1 overlong lead, or F5..FF
  }
  for (int k = 1; k < length; ++k) {
    if (i + static_cast<std::size_t>(k) >= text.size()) return -1;
    const auto b = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
    const unsigned char lo = k == 1 ? low : 0x80;
    const unsigned char hi = k == 1 ? high : 0xBF;
    if (b < lo || b > hi) return 0;
  }
  return length;
}

bool validate(std::string_view text, bool allow_cut) {
  std::size_t i = 0;
  while (i < text.size()) {
    int n = sequence_length(text, i);
    if (n == 0) return false;
    if (n < 0) return allow_cut;
    i += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

bool is_valid_utf8(std::string_view text) { return validate(text, false); }
bool is_valid_utf8_prefix(std::string_view text) { return validate(text, true); }

std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const int n = sequence_length(text, i);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

std::string escape_for_display(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const int n = sequence_length(text, i);
    if (n > 1) {
      out.append(text.substr(i, static_cast<std::size_t>(n)));
      i += static_cast<std::size_t>(n);
      continue;
    }
    if (n == 1 && c >= 0x20 && c != 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kLowerHexDigits[c >> 4];
      out += kLowerHexDigits[c & 0xF];
    }
    ++i;
  }
  return out;
}

}  // namespace relais
