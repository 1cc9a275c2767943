// Request: one parsed request head (an HTTP/1.x head or an HTTP/2 header
// block), as views into the receive buffer or the HTTP/2 stream's fields.
//
// Zero-copy: every string_view points into the connection's receive buffer
// and is valid until that buffer is compacted, i.e. until the response has
// been queued. Header fields live in caller-provided storage (a fixed array
// per worker), so parsing does no allocation at all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace relais::http {

enum class Method : std::uint8_t { get, head, options, post, put, del, connect, trace, patch, other };

struct HeaderField {
  std::string_view name;   // as sent (case preserved), token characters only
  std::string_view value;  // leading and trailing whitespace removed
};

struct Request {
  Method method = Method::other;
  std::string_view method_token;
  std::string_view target;      // request-target as sent
  std::uint8_t version_minor = 1;  // HTTP/1.0 or HTTP/1.1
  std::uint8_t version_major = 1;  // 2: the request came as an HTTP/2 stream (edge/proto/h2)
  std::int32_t stream_id = 0;      // HTTP/2: its stream, which the log times to its last frame

  HeaderField* headers = nullptr;
  std::size_t header_count = 0;

  // Fields the serving path needs, picked out during the single parse pass.
  // Empty view = header absent. For list headers sent several times only the
  // first line is kept, except where noted.
  std::string_view host;  // passed is_valid_host(); always present in HTTP/1.1
  std::string_view accept_encoding;
  std::string_view range;
  std::string_view if_match;
  std::string_view if_none_match;
  std::string_view if_modified_since;
  std::string_view if_unmodified_since;
  std::string_view if_range;
  bool has_accept_encoding = false;  // present, even if empty (empty means identity only)

  bool keep_alive = true;        // from the version and every Connection header
  bool expect_continue = false;  // Expect: 100-continue, HTTP/1.1 only; other expectations ignored
  // Message body framing (RFC 9112 §6.3), already validated by the parser.
  bool chunked = false;               // Transfer-Encoding is exactly "chunked" (never with CL)
  std::uint64_t content_length = 0;  // 0 when absent; <= ParserLimits::max_body_bytes
  // The body, read whole before the request is answered: only for an unsafe
  // method a pull-through site forwards (PullRouting::request_body_limit).
  std::string_view body;
};

}  // namespace relais::http
