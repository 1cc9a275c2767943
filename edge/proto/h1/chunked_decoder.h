// ChunkedDecoder: walks a chunked request body (RFC 9112 §7.1) to discard it,
// or to collect its data (an unsafe method passed to a pull-through origin).
//
// The edge serves GET and HEAD only, so a body is never used; but a body that
// is framed correctly must be consumed, not mistaken for the next request
// (request smuggling). The decoder keeps a few integers of state, so a body
// that arrives one byte at a time costs nothing to hold. Chunk extensions and
// trailers are bounded (an oversized chunk extension is a smuggling vector).
//
// Bounds: a chunk-size line (size + extensions) of at most max_line_bytes;
// at most 16 hex digits; the sum of chunk sizes at most max_body_bytes
// (checked as the size is read, before any data); at most
// kMaxTrailerLines trailer lines of at most max_line_bytes each, discarded.
// Strict syntax: CRLF everywhere (a bare LF is an error), no whitespace
// after the size unless a ';' extension follows (BWS, RFC 9112 §7.1.1).
// Lifecycle: more* then done (terminal; further feeds consume nothing) or
// error (terminal).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace relais::http {

class ChunkedDecoder {
 public:
  static constexpr std::uint8_t kMaxTrailerLines = 16;

  enum class State : std::uint8_t { more, done, error };

  struct Step {
    State state;
    std::size_t consumed;  // bytes of the input used; on done, the rest belongs to the next request
  };

  explicit ChunkedDecoder(std::uint64_t max_body_bytes, std::size_t max_line_bytes = 1024)
      : max_body_(max_body_bytes), max_line_(max_line_bytes) {}

  // Feeds the next bytes of the body. After error, the connection must close.
  // data: the chunk-data is appended to it (a body forwarded to an origin);
  // nullptr: skipped.
  Step feed(std::string_view input, std::string* data = nullptr);
  std::uint64_t body_bytes() const { return body_bytes_; }
  std::string_view error_reason() const { return reason_; }

 private:
  // One state per position in the grammar of RFC 9112 §7.1:
  //   chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
  //   last-chunk = 1*("0") [ chunk-ext ] CRLF, then trailer-section CRLF
  enum class Phase : std::uint8_t {
    size, size_ws, extension, size_lf,  // the chunk-size line
    data, data_cr, data_lf,             // chunk-data and its CRLF
    trailer_start, trailer_name, trailer_value, trailer_lf, final_lf,
    finished, failed,
  };
  // Consumes one byte outside chunk-data; false on a syntax error or a bound.
  bool step(char c);
  bool fail(std::string_view reason);

  Phase phase_ = Phase::size;
  std::uint64_t max_body_;
  std::size_t max_line_;
  std::uint64_t chunk_left_ = 0;  // size line: the size so far; data: bytes left
  std::uint64_t body_bytes_ = 0;
  std::size_t line_bytes_ = 0;    // bytes of the current size or trailer line
  std::uint8_t size_digits_ = 0;
  std::uint8_t trailer_lines_ = 0;
  std::string_view reason_;
};

}  // namespace relais::http
