// mix_key: a content hash folded to 64 well-mixed bits, per seed.
//
// Keys are uniform digests in service, but tests and traces use sequential
// ones; SplitMix64's finaliser over a seeded fold of both halves spreads
// either kind. Different seeds give the sketch and the ghost filters
// independent bit patterns for one key.
#pragma once

#include <bit>
#include <cstdint>

#include "origin-sync/content_hash.h"

namespace relais {

inline std::uint64_t mix_key(const ContentHash& key, std::uint64_t seed) {
  std::uint64_t z = key.high ^ std::rotl(key.low, 32) ^ seed;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace relais
