// Strict HTTP/1.1 request-head parser. See request_parser.h for the contract.
//
// Choices where RFC 9112 leaves room (all documented in the unit tests):
// - CRLF is required everywhere; a bare LF or a bare CR is a 400. RFC 9112 §2.2
//   lets a recipient accept a bare LF, but two parsers that disagree on line
//   ends are how requests are smuggled, and every real client sends CRLF.
// - Up to kMaxLeadingEmptyLines CRLFs before the request line are skipped
//   (RFC 9112 §2.2: SHOULD ignore at least one); they count in head_bytes.
// - Content-Length: identical duplicates, as separate lines or as a list
//   ("5, 5"), are accepted as RFC 9110 §8.6 allows; differing values are a 400.
// - Transfer-Encoding: exactly one "chunked", and last, is accepted. chunked
//   not final, twice, or absent is a 400 (RFC 9112 §6.3 ¶4); chunked final
//   after other codings ("gzip, chunked") is a 501 (RFC 9112 §6.1: we
//   implement no other transfer coding). With Content-Length, or on
//   HTTP/1.0, it is a 400 (RFC 9112 §6.1, §6.3).
// - Expect: only "100-continue" on HTTP/1.1 sets expect_continue; any other
//   expectation is ignored (RFC 9110 §10.1.1 allows 417, ignoring is simpler
//   for a server that never reads a body).
// - Host: exactly one in HTTP/1.1, at most one in HTTP/1.0, and it must pass
//   is_valid_host (so an empty Host is a 400 here: a CDN needs a name).
// - Versions other than HTTP/1.0 and HTTP/1.1 that are well formed
//   ("HTTP/2.0", "HTTP/1.2") are a 505; anything else in that place is a 400.
#include "edge/proto/h1/request_parser.h"
#include "edge/http/byte_class.h"
#include "edge/http/whitespace.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "edge/http/request_fields.h"
#include "edge/http/target_normalizer.h"

namespace relais::http {
namespace {

// RFC 9112 §2.2: "SHOULD ignore at least one empty line (CRLF) received
// prior to the request-line". A few cover clients that end a POST body with
// an extra CRLF; a bounded number stops an endless CRLF stream.
constexpr int kMaxLeadingEmptyLines = 4;

// RFC 9110 §5.6.2 tchar.
constexpr std::array<bool, 256> kTchar = alnum_and("!#$%&'*+-.^_`|~");

bool is_tchar(char c) { return kTchar[static_cast<unsigned char>(c)]; }

// The bytes of a request-target and an HTTP-version (RFC 3986).
constexpr std::array<bool, 256> kVisible = visible_except("");
bool is_visible(char c) { return kVisible[static_cast<unsigned char>(c)]; }

// Bytes a field value may not hold (RFC 9110 §5.5: CR, LF and NUL MUST be
// rejected; the other controls too, strictly): all below 0x20 but HTAB, and DEL.
constexpr std::array<unsigned char, 256> make_value_ctl_table() {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = c != '\t';
  t[0x7F] = 1;
  return t;
}
constexpr std::array<unsigned char, 256> kValueCtl = make_value_ctl_table();

ParseOutcome fail(std::uint16_t status, std::string_view reason) {
  ParseOutcome o;
  o.state = ParseState::error;
  o.status = status;
  o.reason = reason;
  return o;
}

ParseOutcome incomplete() { return ParseOutcome{}; }


// Calls fn(element) for each comma-separated element, OWS trimmed, empty
// elements included (callers decide whether they are allowed).
template <typename Fn>
void for_each_element(std::string_view list, Fn&& fn) {
  for (;;) {
    std::size_t comma = list.find(',');
    fn(trim_ows(list.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

// Framing facts gathered over all header lines, checked once the head ends,
// so that the order of the lines cannot change the verdict.
struct Framing {
  bool has_content_length = false;
  bool has_transfer_encoding = false;
  bool te_chunked_last = false;
  int te_chunked_count = 0;
  bool te_other = false;
  bool host_seen = false;
  bool connection_close = false;
  bool connection_keep_alive = false;
};

// Content-Length = 1*DIGIT, possibly sent as a list of identical values.
// Returns false on anything else: empty, non-digit, overflow, differing.
bool parse_content_length(std::string_view value, Framing& f, std::uint64_t& out) {
  bool ok = true;
  for_each_element(value, [&](std::string_view e) {
    if (e.empty() || e.size() > 19) { ok = false; return; }  // 19 digits < 2^64
    std::uint64_t v = 0;
    for (char c : e) {
      if (c < '0' || c > '9') { ok = false; return; }
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (f.has_content_length && v != out) { ok = false; return; }
    f.has_content_length = true;
    out = v;
  });
  return ok;
}

// Transfer-Encoding list, possibly over several lines (RFC 9110 §5.3).
bool note_transfer_encoding(std::string_view value, Framing& f) {
  bool ok = true;
  f.has_transfer_encoding = true;
  for_each_element(value, [&](std::string_view e) {
    if (e.empty()) { ok = false; return; }  // "chunked," invites disagreement
    if (equals_ignore_case(e, "chunked")) {
      ++f.te_chunked_count;
      f.te_chunked_last = true;
      return;
    }
    for (char c : e) {
      if (!is_tchar(c) && !is_ows(c) && c != ';' && c != '=' && c != '"') { ok = false; return; }
    }
    f.te_other = true;
    f.te_chunked_last = false;
  });
  return ok;
}

void note_connection(std::string_view value, Framing& f) {
  for_each_element(value, [&](std::string_view e) {
    if (equals_ignore_case(e, "close")) f.connection_close = true;
    if (equals_ignore_case(e, "keep-alive")) f.connection_keep_alive = true;
  });
}

// Picks out the fields the serving path needs. Returns an error outcome, or
// a default (incomplete) outcome meaning "fine, go on".
ParseOutcome note_field(const HeaderField& h, Request& r, Framing& f) {
  const std::string_view n = h.name;
  const std::string_view v = h.value;
  if (equals_ignore_case(n, "host")) {
    if (f.host_seen) return fail(400, "duplicate Host");  // RFC 9112 §3.2
    if (!is_valid_host(v)) return fail(400, "invalid Host");
    f.host_seen = true;
    r.host = v;
  } else if (equals_ignore_case(n, "content-length")) {
    if (!parse_content_length(v, f, r.content_length)) return fail(400, "invalid Content-Length");
  } else if (equals_ignore_case(n, "transfer-encoding")) {
    if (!note_transfer_encoding(v, f)) return fail(400, "invalid Transfer-Encoding");
  } else if (equals_ignore_case(n, "connection")) {
    note_connection(v, f);
  } else if (equals_ignore_case(n, "expect")) {
    if (equals_ignore_case(v, "100-continue")) r.expect_continue = true;
  } else {
    (void)note_semantic_field(n, v, r);
  }
  return incomplete();
}

// Verdicts that need the whole head: framing (RFC 9112 §6.3), Host, limits.
ParseOutcome finish_head(Request& r, const Framing& f, const ParserLimits& limits) {
  if (f.has_transfer_encoding) {
    // RFC 9112 §6.1: TE in HTTP/1.0 or with CL is a smuggling attempt; 400 then close.
    if (r.version_minor == 0) return fail(400, "Transfer-Encoding in HTTP/1.0");
    if (f.has_content_length) return fail(400, "Transfer-Encoding with Content-Length");
    if (!f.te_chunked_last || f.te_chunked_count != 1) return fail(400, "chunked not final");
    if (f.te_other) return fail(501, "unsupported transfer coding");
    r.chunked = true;
  }
  if (r.version_minor == 1 && !f.host_seen) return fail(400, "missing Host");  // RFC 9112 §3.2
  // RFC 9112 §3.2.2: a server MUST accept absolute-form and then ignore Host
  // for the target's authority, which picks the site (never a fetch: this is
  // no proxy). CONNECT's authority-form is left to the 405 of the responder.
  if (r.method != Method::connect) {
    const std::optional<std::string_view> authority = target_authority(r.target);
    if (!authority) return fail(400, "invalid request-target");
    if (!authority->empty()) r.host = *authority;
  }
  if (r.content_length > limits.max_body_bytes) return fail(413, "body too large");
  // RFC 9112 §9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive".
  r.keep_alive = !f.connection_close && (r.version_minor == 1 || f.connection_keep_alive);
  if (r.version_minor == 0) r.expect_continue = false;  // RFC 9110 §10.1.1: MUST ignore in 1.0
  return incomplete();
}

struct Scan {
  std::string_view b;  // the bytes we may look at (at most max_head_bytes)
  std::size_t pos = 0;
};

// "CRLF" at s.pos: 1 = present (consumed), 0 = need more bytes, -1 = bare CR.
int take_crlf(Scan& s) {
  if (s.pos + 1 >= s.b.size()) return 0;
  if (s.b[s.pos + 1] != '\n') return -1;
  s.pos += 2;
  return 1;
}

// request-line = method SP request-target SP HTTP-version CRLF (RFC 9112 §3).
ParseOutcome parse_request_line(Scan& s, const ParserLimits& limits, Request& r) {
  const std::size_t start = s.pos;
  while (s.pos < s.b.size() && is_tchar(s.b[s.pos])) ++s.pos;
  if (s.pos == s.b.size()) return incomplete();
  if (s.pos == start || s.b[s.pos] != ' ') return fail(400, "invalid method");
  r.method_token = s.b.substr(start, s.pos - start);
  r.method = method_from_token(r.method_token);

  const std::size_t tstart = ++s.pos;
  // The limit bounds the scan, so the loop tests one thing per byte.
  const std::size_t tlimit = tstart + std::min(limits.max_target_bytes, s.b.size() - tstart);
  while (s.pos < tlimit && is_visible(s.b[s.pos])) ++s.pos;
  if (s.pos == s.b.size()) return incomplete();
  if (s.pos == tlimit && is_visible(s.b[s.pos])) return fail(414, "target too long");
  if (s.pos == tstart || s.b[s.pos] != ' ') return fail(400, "invalid request-target");
  r.target = s.b.substr(tstart, s.pos - tstart);

  const std::size_t vstart = ++s.pos;
  if (s.b.substr(vstart, 9) == "HTTP/1.1\r") {
    s.pos += 8;  // what nearly every request sends, in one comparison
  } else {
    while (s.pos < s.b.size() && s.pos - vstart < 8 && is_visible(s.b[s.pos])) ++s.pos;
  }
  if (s.pos == s.b.size()) return incomplete();
  if (s.b[s.pos] != '\r') return fail(400, "invalid HTTP version");
  const std::string_view v = s.b.substr(vstart, s.pos - vstart);
  const bool well_formed = v.size() == 8 && v.substr(0, 5) == "HTTP/" && v[5] >= '0' && v[5] <= '9' &&
                           v[6] == '.' && v[7] >= '0' && v[7] <= '9';
  if (!well_formed) return fail(400, "invalid HTTP version");
  const int crlf = take_crlf(s);
  if (crlf == 0) return incomplete();
  if (crlf < 0) return fail(400, "bare CR");
  if (v[5] != '1' || (v[7] != '0' && v[7] != '1')) return fail(505, "HTTP version not supported");
  r.version_minor = static_cast<std::uint8_t>(v[7] - '0');
  ParseOutcome ok;
  ok.state = ParseState::complete;  // "request line complete"; the caller goes on
  return ok;
}

// field-line = field-name ":" OWS field-value OWS CRLF (RFC 9112 §5).
// Returns complete with the field in *h, incomplete, or an error.
ParseOutcome parse_field_line(Scan& s, HeaderField* h) {
  const std::size_t start = s.pos;
  // RFC 9112 §5.2: obs-fold is rejected; also whitespace before the first field (§2.2).
  if (is_ows(s.b[s.pos])) return fail(400, "obs-fold or leading whitespace");
  while (s.pos < s.b.size() && is_tchar(s.b[s.pos])) ++s.pos;
  if (s.pos == s.b.size()) return incomplete();
  const char c = s.b[s.pos];
  // RFC 9112 §5.1: no whitespace between field name and colon, MUST 400.
  if (is_ows(c)) return fail(400, "whitespace before colon");
  if (c != ':') return fail(400, c == '\n' ? "bare LF" : "invalid field name");
  if (s.pos == start) return fail(400, "empty field name");
  h->name = s.b.substr(start, s.pos - start);

  ++s.pos;
  while (s.pos < s.b.size() && is_ows(s.b[s.pos])) ++s.pos;
  const std::size_t vstart = s.pos;
  // The value runs to the first CR (memchr is vectorised); the bytes before
  // it are then checked in one pass with no early exit, rescanned only to
  // name the first bad byte.
  const auto* cr = static_cast<const char*>(std::memchr(s.b.data() + vstart, '\r', s.b.size() - vstart));
  const std::size_t vlimit = cr != nullptr ? static_cast<std::size_t>(cr - s.b.data()) : s.b.size();
  unsigned char bad = 0;
  for (std::size_t i = vstart; i < vlimit; ++i) bad |= kValueCtl[static_cast<unsigned char>(s.b[i])];
  if (bad != 0) {
    for (std::size_t i = vstart;; ++i) {
      const unsigned char u = static_cast<unsigned char>(s.b[i]);
      if (kValueCtl[u] != 0) return fail(400, u == '\n' ? "bare LF" : "control byte in field value");
    }
  }
  s.pos = vlimit;
  if (s.pos == s.b.size()) return incomplete();
  std::size_t vend = vlimit;
  while (vend > vstart && is_ows(s.b[vend - 1])) --vend;
  const int crlf = take_crlf(s);
  if (crlf == 0) return incomplete();
  if (crlf < 0) return fail(400, "bare CR");
  h->value = s.b.substr(vstart, vend - vstart);
  ParseOutcome ok;
  ok.state = ParseState::complete;
  return ok;
}

// Skips up to kMaxLeadingEmptyLines CRLFs. false = need more bytes.
bool skip_leading_empty_lines(Scan& s) {
  for (int i = 0; i < kMaxLeadingEmptyLines && s.pos < s.b.size() && s.b[s.pos] == '\r'; ++i) {
    if (s.pos + 1 >= s.b.size()) return false;
    if (s.b[s.pos + 1] != '\n') return true;  // the request line parser rejects it
    s.pos += 2;
  }
  return true;
}

// The bytes seen so far do not complete the head: too many, or wait.
ParseOutcome over_or_incomplete(std::string_view buffer, const ParserLimits& limits, bool line_done) {
  if (buffer.size() <= limits.max_head_bytes) return incomplete();
  // RFC 9112 §3: 414 when the request line alone is too long, else 431 (RFC 6585 §5).
  return line_done ? fail(431, "head too large") : fail(414, "request line too long");
}

}  // namespace

ParseOutcome parse_request_head(std::string_view buffer, const ParserLimits& limits,
                                HeaderField* header_storage, Request& out) {
  out = Request{};
  out.headers = header_storage;
  // Never look past the head limit: the work per call is bounded by it.
  Scan s{buffer.substr(0, limits.max_head_bytes), 0};
  if (!skip_leading_empty_lines(s)) return over_or_incomplete(buffer, limits, false);
  ParseOutcome o = parse_request_line(s, limits, out);
  if (o.state == ParseState::error) return o;
  if (o.state == ParseState::incomplete) return over_or_incomplete(buffer, limits, false);

  Framing framing;
  for (;;) {
    if (s.pos == s.b.size()) return over_or_incomplete(buffer, limits, true);
    if (s.b[s.pos] == '\r') {  // the empty line that ends the head
      const int crlf = take_crlf(s);
      if (crlf == 0) return over_or_incomplete(buffer, limits, true);
      if (crlf < 0) return fail(400, "bare CR");
      break;
    }
    if (out.header_count == limits.max_headers) return fail(431, "too many header fields");
    HeaderField* h = &header_storage[out.header_count];
    o = parse_field_line(s, h);
    if (o.state == ParseState::error) return o;
    if (o.state == ParseState::incomplete) return over_or_incomplete(buffer, limits, true);
    ++out.header_count;
    o = note_field(*h, out, framing);
    if (o.state == ParseState::error) return o;
  }
  o = finish_head(out, framing, limits);
  if (o.state == ParseState::error) return o;
  ParseOutcome done;
  done.state = ParseState::complete;
  done.head_bytes = s.pos;
  return done;
}

}  // namespace relais::http
