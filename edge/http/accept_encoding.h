// Content negotiation on Accept-Encoding (RFC 9110 §12.5.3).
#pragma once

#include <span>
#include <string_view>

#include "origin-sync/encoding.h"
#include "origin-sync/manifest.h"

namespace relais::http {

// The q-value the client gives each coding we can serve, in thousandths
// (0..1000), after applying '*' and the identity default.
struct AcceptEncoding {
  unsigned short q[kEncodingCount] = {1000, 0, 0, 0};  // absent header: identity only
};

// header_present=false: no Accept-Encoding at all (any coding is acceptable per
// RFC 9110, but in practice only identity is safe to send: that is what we do).
// An empty value means identity only. Unknown codings are ignored; a
// malformed element is skipped, never fatal. identity stays acceptable unless
// "identity;q=0" or "*;q=0" without a positive identity.
AcceptEncoding parse_accept_encoding(std::string_view value, bool header_present);

// Index into variants of the smallest acceptable variant (ties broken by the
// higher q, then by the Encoding order); -1 if none is acceptable (406).
int choose_variant(const AcceptEncoding& accept, std::span<const Variant> variants);

}  // namespace relais::http
