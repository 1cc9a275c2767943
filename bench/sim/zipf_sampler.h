// ZipfSampler: draws ranks 0 .. n-1 with P(rank k) proportional to 1/(k+1)^alpha.
//
// Owns the cumulative weights (n doubles); a draw is one binary search,
// O(log n). Rank 0 is the most popular; generators map ranks to objects
// through a fixed random permutation so that popularity is not correlated
// with object index (a crawl in index order must not walk the hot set first).
#pragma once

#include <cstdint>
#include <vector>

#include "bench/sim/rng.h"

namespace relais::sim {

class ZipfSampler {
 public:
  ZipfSampler(std::uint64_t n, double alpha);
  std::uint64_t draw(Rng& rng) const;
  std::uint64_t size() const { return cumulative_.size(); }

 private:
  std::vector<double> cumulative_;
};

// A random permutation of 0 .. n-1 (Fisher-Yates with our Rng).
std::vector<std::uint32_t> shuffled_indices(std::uint32_t n, Rng& rng);

}  // namespace relais::sim
