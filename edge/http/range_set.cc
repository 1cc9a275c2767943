// Range header parsing (RFC 9110 §14.1.1, §14.2). See range_set.h.
//
//   Range = ranges-specifier = range-unit "=" range-set
//   range-set = 1#range-spec ; int-range / suffix-range
//   int-range = first-pos "-" [ last-pos ];  suffix-range = "-" suffix-length
//
// Choices: no whitespace inside a range-spec or around '=' (OWS only around
// commas, as the list rule allows); empty list elements are skipped
// (RFC 9110 §5.6.1); a number of 20 or more digits is a syntax error, so no
// arithmetic ever overflows; max_ranges == 0 disables ranges (ignore).
#include "edge/http/range_set.h"
#include "edge/http/whitespace.h"

#include <algorithm>

#include "edge/http/ascii_case.h"

namespace relais::http {
namespace {



// 1*DIGIT, at most 19 digits (10^19 - 1 < 2^64). false on anything else.
bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = v;
  return true;
}

enum class Spec : unsigned char { invalid, unsatisfiable, satisfiable };

// One range-spec, resolved against size into [first, last] within [0, size).
Spec resolve_spec(std::string_view spec, std::uint64_t size, ByteRange& out) {
  const std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return Spec::invalid;
  const std::string_view a = spec.substr(0, dash);
  const std::string_view b = spec.substr(dash + 1);
  if (a.empty()) {  // suffix-range
    std::uint64_t n = 0;
    if (!parse_u64(b, n)) return Spec::invalid;
    // §14.1.1: a zero suffix-length, or an empty representation, is unsatisfiable;
    // a suffix longer than the representation selects all of it.
    if (n == 0 || size == 0) return Spec::unsatisfiable;
    out = {n >= size ? 0 : size - n, size - 1};
    return Spec::satisfiable;
  }
  std::uint64_t first = 0;
  std::uint64_t last = UINT64_MAX;
  if (!parse_u64(a, first)) return Spec::invalid;
  if (!b.empty() && !parse_u64(b, last)) return Spec::invalid;
  if (first > last) return Spec::invalid;  // §14.1.1: invalid, so the whole header is
  if (first >= size) return Spec::unsatisfiable;
  out = {first, std::min(last, size - 1)};
  return Spec::satisfiable;
}

RangeSet make(RangeSet::Kind kind) {
  RangeSet r;
  r.kind = kind;
  return r;
}

}  // namespace

RangeSet parse_range(std::string_view value, std::uint64_t size, std::size_t max_ranges) {
  const std::size_t eq = value.find('=');
  if (eq == std::string_view::npos || !equals_ignore_case(value.substr(0, eq), "bytes")) {
    return make(RangeSet::Kind::ignore);  // §14.2: an unknown unit MUST be ignored
  }
  if (max_ranges == 0) return make(RangeSet::Kind::ignore);
  std::string_view rest = value.substr(eq + 1);
  ByteRange found[kMaxRangesCap];
  std::size_t parsed = 0;
  std::size_t kept = 0;
  for (;;) {
    const std::size_t comma = rest.find(',');
    const std::string_view spec = trim_ows(rest.substr(0, comma));
    if (!spec.empty()) {
      ByteRange r;
      const Spec s = resolve_spec(spec, size, r);
      if (s == Spec::invalid) return make(RangeSet::Kind::ignore);
      // Keep parsing past the cap: a syntax error later still means ignore.
      if (++parsed <= kMaxRangesCap && s == Spec::satisfiable) found[kept++] = r;
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (parsed == 0) return make(RangeSet::Kind::ignore);  // "bytes=" has no range-spec
  // CVE-2011-3192: many small or overlapping ranges multiply the work and the
  // response size. Too many is refused outright, before any sorting.
  if (parsed > kMaxRangesCap || kept == 0) return make(RangeSet::Kind::unsatisfiable);

  std::sort(found, found + kept, [](const ByteRange& x, const ByteRange& y) { return x.first < y.first; });
  RangeSet out;
  out.ranges[0] = found[0];
  out.count = 1;
  for (std::size_t i = 1; i < kept; ++i) {
    ByteRange& cur = out.ranges[out.count - 1];
    // Overlapping or adjacent (cur.last + 1 cannot overflow: last < size).
    if (found[i].first <= cur.last + 1) {
      cur.last = std::max(cur.last, found[i].last);
    } else {
      out.ranges[out.count++] = found[i];
    }
  }
  if (out.count > std::min(max_ranges, kMaxRangesCap)) return make(RangeSet::Kind::unsatisfiable);
  out.kind = RangeSet::Kind::satisfiable;
  return out;
}

}  // namespace relais::http
