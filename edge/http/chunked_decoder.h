// ChunkedDecoder: walks a chunked request body (RFC 9112 §7.1) to discard it.
//
// The edge serves GET and HEAD only, so a body is never used; but a body that
// is framed correctly must be consumed, not mistaken for the next request
// (request smuggling). The decoder keeps a few integers of state, so a body
// that arrives one byte at a time costs nothing to hold. Chunk extensions and
// trailers are bounded (an oversized chunk extension is a smuggling vector).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace relais::http {

class ChunkedDecoder {
 public:
  enum class State : std::uint8_t { more, done, error };

  struct Step {
    State state;
    std::size_t consumed;  // bytes of the input used; on done, the rest belongs to the next request
  };

  explicit ChunkedDecoder(std::uint64_t max_body_bytes, std::size_t max_line_bytes = 1024)
      : max_body_(max_body_bytes), max_line_(max_line_bytes) {}

  // Feeds the next bytes of the body. After error, the connection must close.
  Step feed(std::string_view input);
  std::uint64_t body_bytes() const { return body_bytes_; }
  std::string_view error_reason() const { return reason_; }

 private:
  enum class Phase : std::uint8_t { size, size_ws, extension, size_lf, data, data_cr, data_lf, trailer, trailer_lf, final_lf, finished };
  Phase phase_ = Phase::size;
  std::uint64_t max_body_;
  std::size_t max_line_;
  std::uint64_t chunk_left_ = 0;
  std::uint64_t body_bytes_ = 0;
  std::size_t line_bytes_ = 0;
  bool saw_digit_ = false;
  std::string_view reason_;
};

}  // namespace relais::http
