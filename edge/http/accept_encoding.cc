// Accept-Encoding negotiation (RFC 9110 §12.5.3). See accept_encoding.h.
//
//   Accept-Encoding = #( codings [ weight ] )
//   codings = content-coding / "identity" / "*"
//   weight  = OWS ";" OWS "q=" qvalue
//   qvalue  = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
//
// When a coding is listed twice, the first element wins (the RFC is silent).
#include "edge/http/accept_encoding.h"
#include "edge/http/whitespace.h"

#include "edge/http/ascii_case.h"

namespace relais::http {
namespace {

constexpr int kUnset = -1;



// qvalue in thousandths, or kUnset if malformed.
int parse_qvalue(std::string_view s) {
  if (s.empty() || (s[0] != '0' && s[0] != '1')) return kUnset;
  const int whole = s[0] - '0';
  if (s.size() == 1) return whole * 1000;
  if (s[1] != '.' || s.size() > 5) return kUnset;
  int frac = 0;
  int scale = 100;
  for (char c : s.substr(2)) {
    if (c < '0' || c > '9') return kUnset;
    frac += (c - '0') * scale;
    scale /= 10;
  }
  if (whole == 1 && frac != 0) return kUnset;  // "1.5" is not a qvalue
  return whole * 1000 + frac;
}

// The weight of one element ("; q=0.5" after the coding), 1000 if none,
// kUnset if the parameters are malformed or are not a weight.
int parse_weight(std::string_view params) {
  if (params.empty()) return 1000;
  params.remove_prefix(1);  // the ';'
  params = trim_ows(params);
  if (params.size() < 2 || (params[0] != 'q' && params[0] != 'Q') || params[1] != '=') return kUnset;
  return parse_qvalue(params.substr(2));
}

int coding_index(std::string_view name) {
  if (equals_ignore_case(name, "identity")) return static_cast<int>(Encoding::identity);
  if (equals_ignore_case(name, "br")) return static_cast<int>(Encoding::br);
  if (equals_ignore_case(name, "zstd")) return static_cast<int>(Encoding::zstd);
  // RFC 9110 §8.4.1.3: "x-gzip" SHOULD be treated as equivalent to "gzip".
  if (equals_ignore_case(name, "gzip") || equals_ignore_case(name, "x-gzip")) return static_cast<int>(Encoding::gzip);
  return kUnset;
}

}  // namespace

AcceptEncoding parse_accept_encoding(std::string_view value, bool header_present) {
  AcceptEncoding out;  // identity only
  if (!header_present) return out;
  int listed[kEncodingCount] = {kUnset, kUnset, kUnset, kUnset};
  int star = kUnset;
  for (;;) {
    const std::size_t comma = value.find(',');
    const std::string_view element = trim_ows(value.substr(0, comma));
    const std::size_t semi = element.find(';');
    const std::string_view name = trim_ows(element.substr(0, semi));
    const int q = parse_weight(semi == std::string_view::npos ? std::string_view() : element.substr(semi));
    if (!name.empty() && q != kUnset) {
      if (name == "*") {
        if (star == kUnset) star = q;
      } else if (const int i = coding_index(name); i != kUnset && listed[i] == kUnset) {
        listed[i] = q;
      }
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  // '*' covers every coding not listed (§12.5.3 ¶6); identity is acceptable
  // unless excluded by "identity;q=0" or by "*;q=0" without identity (¶8).
  for (int i = 0; i < kEncodingCount; ++i) {
    int q = listed[i] != kUnset ? listed[i] : star;
    if (q == kUnset) q = i == static_cast<int>(Encoding::identity) ? 1000 : 0;
    out.q[i] = static_cast<unsigned short>(q);
  }
  return out;
}

int choose_variant(const AcceptEncoding& accept, std::span<const Variant> variants) {
  int best = -1;
  for (std::size_t i = 0; i < variants.size(); ++i) {
    const Variant& v = variants[i];
    const int e = static_cast<int>(v.encoding);
    if (e < 0 || e >= kEncodingCount || accept.q[e] == 0) continue;
    if (best < 0) { best = static_cast<int>(i); continue; }
    const Variant& b = variants[static_cast<std::size_t>(best)];
    const int be = static_cast<int>(b.encoding);
    const bool better = v.size != b.size ? v.size < b.size
                        : accept.q[e] != accept.q[be] ? accept.q[e] > accept.q[be]
                                                      : e < be;
    if (better) best = static_cast<int>(i);
  }
  return best;
}

}  // namespace relais::http
