#include "bench/sim/zipf_sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "origin-sync/assert.h"

namespace relais::sim {

ZipfSampler::ZipfSampler(std::uint64_t n, double alpha) {
  RELAIS_ASSERT(n > 0);
  cumulative_.resize(n);
  double sum = 0;
  for (std::uint64_t k = 0; k < n; ++k) {
    sum += std::pow(static_cast<double>(k + 1), -alpha);
    cumulative_[k] = sum;
  }
}

std::uint64_t ZipfSampler::draw(Rng& rng) const {
  double u = rng.uniform() * cumulative_.back();
  auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  if (it == cumulative_.end()) --it;  // u rounds up to the total: the last rank
  return static_cast<std::uint64_t>(it - cumulative_.begin());
}

std::vector<std::uint32_t> shuffled_indices(std::uint32_t n, Rng& rng) {
  std::vector<std::uint32_t> v(n);
  std::iota(v.begin(), v.end(), 0u);
  for (std::uint32_t i = n; i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
  return v;
}

}  // namespace relais::sim
