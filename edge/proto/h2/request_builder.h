// HTTP/2 request builder: one stream's header block -> the same http::Request
// the HTTP/1 parser makes, so the responder cannot tell the protocols apart.
//
// nghttp2 already checks the header block's shape (RFC 9113 §8.2, §8.3:
// lower-case names, pseudo-header fields first and once each, the required
// ones present, connection-specific fields absent); this checks it again
// where the semantics depend on it, as a plain function testable without a
// session, and maps the fields: :method, :path (the target), :authority
// (Host, RFC 9113 §8.3.1, or the host field when :authority is absent), and
// the fields the semantics read (request_fields.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "edge/http/request.h"

namespace relais::h2 {

struct BuildOutcome {
  std::uint16_t status = 0;  // 0: a request; else the status to answer (400, 405, 414)
  std::string_view reason;   // short static text, for tests and the log
};

// fields: the block in order, names lower case. storage: room for
// fields.size() entries; out.headers points into it (regular fields only).
// The views in out point into fields' bytes.
BuildOutcome build_request(std::span<const http::HeaderField> fields, std::size_t max_target_bytes,
                           http::HeaderField* storage, http::Request& out);

}  // namespace relais::h2
