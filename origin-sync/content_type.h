// Content type of a published file, and whether precompressing it can pay.
//
// Decided from the extension and from the first bytes (magic numbers and a
// text check), because extensions lie: a JPEG saved as "photo.txt" must not be
// served as text/plain nor brotli-compressed, and a README without extension
// is still text. The magic-number table is a short, ordered list of the
// formats a course actually holds (PDF, images, audio/video, archives, fonts).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace relais {

// How many leading bytes detect_content_type() wants to see.
inline constexpr std::size_t kSniffBytes = 4096;

enum class Compressibility : unsigned char {
  always,  // text-like: HTML, CSS, JS, JSON, SVG, XML, WebVTT, fonts in TTF/OTF
  probe,   // may or may not shrink (PDF, unknown binary): try a cheap sample first
  never,   // already compressed (JPEG, PNG, MP4, WebM, ZIP, WOFF2, ...)
};

struct ContentKind {
  std::string content_type;  // header value, "; charset=utf-8" on text/* whose bytes are UTF-8
  Compressibility compressibility = Compressibility::probe;
};

// path: the relative path (only its extension is used); head: the first
// kSniffBytes of the file (or all of it when shorter).
ContentKind detect_content_type(std::string_view path, std::string_view head);

// The compressibility of a Content-Type value another server chose (a
// pull-through origin's): its media type (parameters dropped, case folded)
// looked up in the table above, else text/*, +xml, +json, JSON and XML, and
// the JavaScript aliases are always; anything else is never (no probe: the
// caller has no file to sample, and guessing wrong costs CPU for nothing).
Compressibility compressibility_of_media_type(std::string_view content_type);

}  // namespace relais
