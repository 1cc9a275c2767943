// Request-target normalisation: from what the client sent to a catalog key.
//
// The path is percent-decoded (UTF-8 names such as "Séance 3 — fractions.pdf"
// work), dot-segments are removed (RFC 3986 §5.2.4) and duplicate slashes
// folded. Anything that could name a file outside the published tree, or that
// two layers could read differently, is refused: an escape above the root,
// an encoded '/' (%2F) or '\', NUL or any control byte, invalid UTF-8,
// a malformed percent escape. The query is split off and returned apart;
// lookups ignore it by default so `?v=random` cannot bypass the cache.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace relais::http {

struct NormalizedTarget {
  std::uint16_t status = 0;  // 0 = ok; otherwise 400 (or 404) to answer
  std::string_view reason;   // error: short static text for the log
  // Decoded, normalised, always starts with '/', never contains "//", "/./",
  // "/../", NUL or control bytes. Views into the caller's output buffer.
  std::string_view path;
  bool trailing_slash = false;  // the path names a directory ("/a/b/")
  std::string_view query;       // raw (still encoded), without the '?'; empty if none
  bool asterisk = false;        // the target was "*" (only valid for OPTIONS); path is then empty
};

// Accepts origin-form ("/a/b?q") and absolute-form ("http://host/a/b?q").
// For absolute-form, authority_out receives the host[:port] the client named
// (target_authority()), which the request parser already made the request's
// host (RFC 9112 §3.2.2: it wins over Host).
// out must be at least as large as target (decoding never grows the text;
// asserted). Only 400 is ever returned. ".." above the root is a 400, not
// clamped; "%2e%2e" counts as ".." (decoded before dot-segment removal).
NormalizedTarget normalize_target(std::string_view target, std::span<char> out,
                                  std::string_view* authority_out);

// The host a request-target names (RFC 9112 §3.2): for absolute-form
// ("http://a.example:8080/x?q", scheme http or https in any case) its
// authority ("a.example:8080", checked by is_valid_host); empty for
// origin-form ("/x") and asterisk-form ("*"); nullopt for anything else:
// another scheme, a missing or bad authority, no scheme at all. Nothing is
// ever fetched from that authority: it only picks a site of this edge.
std::optional<std::string_view> target_authority(std::string_view target);

// RFC 9110 §7.2 / RFC 3986 §3.2.2: reg-name / IPv4 / [IPv6] with optional
// port, no userinfo, no whitespace, no control bytes, at most 255 bytes.
bool is_valid_host(std::string_view host);

}  // namespace relais::http
