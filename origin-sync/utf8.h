// UTF-8 validation for names that become URL paths and manifest entries.
//
// Strict RFC 3629: no overlong forms, no surrogates (U+D800..U+DFFF), nothing
// above U+10FFFF. A path that is not valid UTF-8 cannot be written in a URL
// unambiguously, so the publisher skips it and the manifest reader rejects it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace relais {

bool is_valid_utf8(std::string_view text);

// Like is_valid_utf8, but a multi-byte sequence cut short by the end of text is
// accepted: used on the first bytes of a file, where the cut is ours.
bool is_valid_utf8_prefix(std::string_view text);

// Bytes of the well-formed sequence starting at text[i] (1 for ASCII), or 0
// if none starts there (a sequence cut by the end of text included).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

// For messages: text with invalid UTF-8 bytes, control bytes and backslashes
// written as \xNN, so a hostile file name cannot forge or split a log line.
std::string escape_for_display(std::string_view text);

}  // namespace relais
