// Strict HTTP/1.1 request-head parser (RFC 9112), zero-copy, no allocation.
//
// parse_request_head() is called on the bytes received so far; it either
// needs more bytes, or returns a complete Request whose views point into the
// buffer, or rejects the request with the status to answer (then the
// connection is closed: after a framing error nothing that follows can be
// trusted, RFC 9112 §11.2). It is restartable from scratch: callers simply
// call it again on the longer buffer; it never reads past max_head_bytes, so
// a call costs at most that many byte steps. The limits bound what a client
// can make us hold: header bytes, header count, request-target length.
// Strictness choices (CRLF only, duplicate Content-Length, Transfer-Encoding
// 400 vs 501, leading empty lines, Expect) are listed atop request_parser.cc
// and pinned by tests/unit/proto/h1/request_parser_test.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/http/ascii_case.h"
#include "edge/http/request.h"

namespace relais::http {

struct ParserLimits {
  // Request line + header fields + final CRLF. Beyond: 431 (or 414 if the
  // request line alone is too long). Answers slowloris-by-size.
  std::size_t max_head_bytes = 8192;
  // Request-target bytes. Beyond: 414.
  std::size_t max_target_bytes = 4096;
  // Header field lines. Beyond: 431. Also the size of the caller's array.
  std::size_t max_headers = 64;
  // Body bytes accepted (and discarded) on GET/HEAD/OPTIONS. Beyond: 413.
  std::uint64_t max_body_bytes = 64 * 1024;
};

enum class ParseState : std::uint8_t { incomplete, complete, error };

struct ParseOutcome {
  ParseState state = ParseState::incomplete;
  std::size_t head_bytes = 0;  // complete: bytes of the head, including skipped leading CRLFs and the final CRLF
  std::uint16_t status = 0;    // error: 400, 413, 414, 431, 501 or 505
  std::string_view reason;     // error: short static text for the log, e.g. "obs-fold"
};

// header_storage must hold limits.max_headers entries; out.headers points into it.
ParseOutcome parse_request_head(std::string_view buffer, const ParserLimits& limits,
                                HeaderField* header_storage, Request& out);

}  // namespace relais::http
