// Range requests (RFC 9110 §14): parsing "bytes=..." into a bounded RangeSet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace relais::http {

// Hard cap on ranges kept per request, whatever the configuration says.
inline constexpr std::size_t kMaxRangesCap = 64;

struct ByteRange {
  std::uint64_t first = 0;  // inclusive
  std::uint64_t last = 0;   // inclusive
  std::uint64_t length() const { return last - first + 1; }
};

struct RangeSet {
  enum class Kind : unsigned char {
    ignore,         // no usable Range: serve the whole representation (200)
    satisfiable,    // ranges[0..count): sorted, coalesced, each within [0, size)
    unsatisfiable,  // 416 with Content-Range: bytes */size
  };
  Kind kind = Kind::ignore;
  std::size_t count = 0;
  ByteRange ranges[kMaxRangesCap];
};

// value: the Range header value. size: the representation length.
// A unit other than "bytes" or a syntax error: ignore (RFC 9110 §14.2 allows
// ignoring a Range it does not understand). No satisfiable range: unsatisfiable.
// Overlapping or adjacent ranges are coalesced (and the set sorted) before
// counting; more than max_ranges after that, or more than kMaxRangesCap
// ranges parsed at all: unsatisfiable, the CVE-2011-3192 class of attack.
RangeSet parse_range(std::string_view value, std::uint64_t size, std::size_t max_ranges);

}  // namespace relais::http
