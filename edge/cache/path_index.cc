#include "edge/cache/path_index.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>

namespace relais {

PathIndex::PathIndex(std::size_t expected) {
  // At most 3/4 full, and never empty, so a probe always ends at a free slot.
  const std::size_t want = std::max<std::size_t>(8, expected + expected / 3 + 1);
  slots_.resize(std::bit_ceil(want));
}

std::uint64_t PathIndex::hash(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

}  // namespace relais
