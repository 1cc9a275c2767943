#include "edge/cache/ghost_filter.h"

#include <algorithm>
#include <bit>

#include "edge/cache/key_mix.h"

namespace relais {

namespace {
constexpr unsigned kProbes = 3;

// Another seed than the sketch's: the filters' bits are independent of its counters.
constexpr std::uint64_t kSeed = 0x6a09e667f3bcc909ull;

// Probe i of hash h: double hashing (Kirsch and Mitzenmacher), the odd
// second hash visits distinct bits.
std::uint64_t probe(std::uint64_t h, unsigned i, std::uint64_t mask) {
  return (h + i * ((h >> 32) | 1)) & mask;
}

std::size_t words_for(std::size_t keys) {
  return std::bit_ceil(std::max(keys, GhostFilter::kMinKeys) * GhostFilter::kBitsPerKey) / 64;
}
}  // namespace

GhostFilter::GhostFilter(std::uint64_t horizon_bytes, std::size_t expected_keys)
    : horizon_bytes_(horizon_bytes),
      max_keys_(std::max(expected_keys, kMinKeys)),
      bit_mask_(words_for(expected_keys) * 64 - 1),
      current_(words_for(expected_keys)),
      previous_(words_for(expected_keys)) {}

void GhostFilter::insert(const ContentHash& key, std::uint64_t bytes) {
  const std::uint64_t h = mix_key(key, kSeed);
  for (unsigned i = 0; i < kProbes; ++i) {
    const std::uint64_t b = probe(h, i, bit_mask_);
    current_[b >> 6] |= std::uint64_t{1} << (b & 63);
  }
  bytes_ += bytes;
  if (++keys_ >= max_keys_ || bytes_ >= horizon_bytes_) rotate();
}

bool GhostFilter::contains(const ContentHash& key) const {
  const std::uint64_t h = mix_key(key, kSeed);
  auto in = [&](const std::vector<std::uint64_t>& bits) {
    for (unsigned i = 0; i < kProbes; ++i) {
      const std::uint64_t b = probe(h, i, bit_mask_);
      if (((bits[b >> 6] >> (b & 63)) & 1) == 0) return false;
    }
    return true;
  };
  return in(current_) || in(previous_);
}

void GhostFilter::reserve(std::size_t keys) {
  if (keys <= max_keys_) return;
  max_keys_ = std::max(keys, 2 * max_keys_);
  const std::size_t words = words_for(max_keys_);
  current_.assign(words, 0);
  previous_.assign(words, 0);
  bit_mask_ = words * 64 - 1;
  bytes_ = 0;
  keys_ = 0;
}

void GhostFilter::rotate() {
  current_.swap(previous_);
  std::fill(current_.begin(), current_.end(), 0);
  bytes_ = 0;
  keys_ = 0;
}

}  // namespace relais
