// Request-target normalisation. See target_normalizer.h for the contract.
//
// Order matters: the whole path is percent-decoded first, then dot-segments
// are removed, so "%2e%2e" is a ".." like any other (RFC 3986 §6.2.2.2 says
// to decode unreserved characters before removing dot-segments). This is
// unambiguous only because an encoded '/' is refused: after decoding, every
// '/' was a '/' on the wire, so no later layer can split segments elsewhere.
#include "edge/http/target_normalizer.h"
#include "edge/http/byte_class.h"
#include "edge/http/hex_digit.h"

#include <array>
#include <cstring>

#include "origin-sync/assert.h"

namespace relais::http {
namespace {

NormalizedTarget reject(std::string_view reason) {
  NormalizedTarget t;
  t.status = 400;
  t.reason = reason;
  return t;
}

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7F; }

// RFC 3986 §3.2.2 reg-name bytes other than pct-encoded: unreserved and sub-delims.
constexpr std::array<bool, 256> kRegName = alnum_and("-._~!$&'()*+,;=");

// Path bytes that decoding leaves as they are and that are never refused.
constexpr std::array<bool, 256> kPlainPath = visible_except("%\\?#");

// A path of plain bytes with no empty segment and no segment starting with
// '.' is already what decoding and dot-segment removal would make of it:
// most requests, which then cost one scan and one copy. "/.well-known" and
// "/a/" take the general way (and get the same answer from it).
bool is_plain_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  char previous = 0;
  for (char c : path) {
    if (!kPlainPath[static_cast<unsigned char>(c)] || (previous == '/' && (c == '/' || c == '.'))) return false;
    previous = c;
  }
  return previous != '/';
}

bool equals_ignore_case_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

// Strict UTF-8 (RFC 3629 §4): no overlong forms, no surrogates, <= U+10FFFF.
bool is_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) { ++p; continue; }
    int n = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) { n = 1; }
    else if (c == 0xE0) { n = 2; lo = 0xA0; }
    else if (c >= 0xE1 && c <= 0xEC) { n = 2; }
    else if (c == 0xED) { n = 2; hi = 0x9F; }  // no UTF-16 surrogates
    else if (c >= 0xEE && c <= 0xEF) { n = 2; }
    else if (c == 0xF0) { n = 3; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) { n = 3; }
    else if (c == 0xF4) { n = 3; hi = 0x8F; }  // <= U+10FFFF
    else return false;
    if (end - p <= n) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (int i = 2; i <= n; ++i) {
      if (p[i] < 0x80 || p[i] > 0xBF) return false;
    }
    p += n + 1;
  }
  return true;
}

// Percent-decodes path into out. Returns the decoded length, or an error reason.
struct Decoded { std::size_t size = 0; std::string_view error; };

Decoded percent_decode(std::string_view path, char* out) {
  Decoded d;
  for (std::size_t i = 0; i < path.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(path[i]);
    if (c == '%') {
      const int h = i + 2 < path.size() ? hex_value(path[i + 1]) : -1;
      const int l = h >= 0 ? hex_value(path[i + 2]) : -1;
      if (h < 0 || l < 0) return {0, "malformed percent escape"};
      c = static_cast<unsigned char>(h * 16 + l);
      i += 2;
      // An encoded separator would be a segment boundary to one layer and
      // part of a name to another (path traversal, cache-key confusion).
      if (c == '/') return {0, "encoded slash"};
      if (c == '\\') return {0, "encoded backslash"};
      if (c == 0) return {0, "encoded NUL"};
    } else if (c == '\\') {
      return {0, "backslash"};  // a separator to Windows-minded layers
    }
    if (is_control(c)) return {0, "control byte"};
    out[d.size++] = static_cast<char>(c);
  }
  return d;
}

// RFC 3986 §5.2.4 remove_dot_segments plus "//" folding, in place on
// buf[0..size) which starts with '/'. Refuses ".." above the root (nginx
// answers 400 too) rather than clamping: such a path is an attack, not a typo.
NormalizedTarget remove_dot_segments(char* buf, std::size_t size) {
  std::size_t w = 1;  // buf[0..w) is the output; it ends with '/' until the last segment
  std::size_t r = 1;
  bool trailing = true;  // last segment empty, "." or "..": names a directory
  while (r <= size) {
    std::size_t end = r;
    while (end < size && buf[end] != '/') ++end;
    const std::string_view seg(buf + r, end - r);
    if (seg.empty() || seg == ".") {
      trailing = true;
    } else if (seg == "..") {
      if (w == 1) return reject("dot-segment above root");
      w = std::string_view(buf, w - 1).rfind('/') + 1;
      trailing = true;
    } else {
      std::memmove(buf + w, seg.data(), seg.size());  // w <= r: the copy only moves left
      w += seg.size();
      trailing = false;
      if (end == size) break;  // last segment: no '/' after it (and buf may end here)
      buf[w++] = '/';
    }
    r = end + 1;
  }
  NormalizedTarget t;
  t.trailing_slash = trailing || w == 1;
  t.path = std::string_view(buf, w);
  return t;
}

}  // namespace

NormalizedTarget normalize_target(std::string_view target, std::span<char> out,
                                  std::string_view* authority_out) {
  RELAIS_ASSERT(out.size() >= target.size());
  if (authority_out != nullptr) *authority_out = {};
  if (target == "*") {  // RFC 9112 §3.2.4 asterisk-form; path stays empty
    NormalizedTarget t;
    t.asterisk = true;
    return t;
  }
  std::string_view rest = target;
  if (rest.empty() || rest.front() != '/') {
    const std::optional<std::string_view> authority = target_authority(target);
    if (!authority) return reject("not origin-form or absolute-form");
    if (authority_out != nullptr) *authority_out = *authority;
    // What follows the authority: "/path?q", "?q" or nothing.
    rest = std::string_view(authority->data() + authority->size(), target.data() + target.size());
  }
  if (rest.find('#') != std::string_view::npos) return reject("fragment in request-target");
  const std::size_t q = rest.find('?');
  std::string_view query;
  if (q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
    for (char c : query) {
      if (is_control(static_cast<unsigned char>(c)) || c == ' ') return reject("control byte in query");
    }
  }
  char* buf = out.data();
  if (is_plain_path(rest)) {
    std::memcpy(buf, rest.data(), rest.size());
    NormalizedTarget t;
    t.path = std::string_view(buf, rest.size());
    t.query = query;
    return t;
  }
  std::size_t size = 1;
  buf[0] = '/';
  if (!rest.empty()) {  // absolute-form with an empty path means "/" (RFC 9112 §3.2.2)
    const Decoded d = percent_decode(rest, buf);
    if (!d.error.empty()) return reject(d.error);
    size = d.size;
  }
  if (!is_valid_utf8(std::string_view(buf, size))) return reject("invalid UTF-8");
  NormalizedTarget t = remove_dot_segments(buf, size);
  t.query = query;
  return t;
}

std::optional<std::string_view> target_authority(std::string_view target) {
  if (target == "*" || target.starts_with('/')) return std::string_view{};
  // RFC 9112 §3.2.2 absolute-form: http or https, any case (RFC 3986 §3.1).
  const std::size_t colon = target.find("://");
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view scheme = target.substr(0, colon);
  if (!equals_ignore_case_ascii(scheme, "http") && !equals_ignore_case_ascii(scheme, "https")) return std::nullopt;
  std::string_view rest = target.substr(colon + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (!is_valid_host(authority)) return std::nullopt;
  return authority;
}

bool is_valid_host(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  std::string_view name = host;
  std::string_view port;
  if (host.front() == '[') {  // IP-literal (RFC 3986 §3.2.2)
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    for (char c : host.substr(1, close - 1)) {
      const bool ok = hex_value(c) >= 0 || c == ':' || c == '.';
      if (!ok) return false;
    }
    if (host.substr(1, close - 1).find(':') == std::string_view::npos) return false;
    const std::string_view after = host.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return false;
      port = after.substr(1);
      if (port.empty()) return false;
    }
    name = {};
  } else {
    const std::size_t colon = host.rfind(':');
    if (colon != std::string_view::npos) {
      name = host.substr(0, colon);
      port = host.substr(colon + 1);
      if (port.empty()) return false;
    }
    if (host.find('[') != std::string_view::npos) return false;
  }
  // reg-name = *( unreserved / pct-encoded / sub-delims ); IPv4 is a subset.
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (kRegName[static_cast<unsigned char>(c)]) continue;
    if (c == '%' && i + 2 < name.size() && hex_value(name[i + 1]) >= 0 && hex_value(name[i + 2]) >= 0) {
      i += 2;
      continue;
    }
    return false;
  }
  if (host.front() != '[' && name.empty()) return false;
  if (port.size() > 5) return false;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value <= 65535;
}

}  // namespace relais::http
