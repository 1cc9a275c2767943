// Fuzzes parse_range: the set is sorted, disjoint, non-adjacent, in bounds.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "edge/http/range_set.h"
#include "tests/fuzz/fuzz_check.h"

using namespace relais::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // Byte 0: max_ranges; byte 1: which representation size.
  const std::size_t max_ranges = data[0] % 20;
  const std::uint64_t sizes[] = {0, 1, 2, 10, 100, 1000, 1u << 20, UINT64_MAX};
  const std::uint64_t rep = sizes[data[1] % 8];
  const std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
  const RangeSet r = parse_range(in, rep, max_ranges);
  if (r.kind != RangeSet::Kind::satisfiable) {
    FUZZ_CHECK(r.count == 0);
    return 0;
  }
  FUZZ_CHECK(r.count >= 1 && r.count <= max_ranges && r.count <= kMaxRangesCap);
  for (std::size_t i = 0; i < r.count; ++i) {
    FUZZ_CHECK(r.ranges[i].first <= r.ranges[i].last && r.ranges[i].last < rep);
    if (i > 0) FUZZ_CHECK(r.ranges[i].first > r.ranges[i - 1].last + 1);
  }
  return 0;
}
