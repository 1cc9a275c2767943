// GhostFilter: an approximate set of keys the policy recently dropped, for
// WTinyLfuPolicy's window sizing (ARC's ghost lists, Megiddo and Modha, FAST
// 2003, kept as Bloom filters instead of key lists).
//
// Remembers the keys dropped while about horizon_bytes of their data was
// dropped: two generations of Bloom bits; inserts go to the current one,
// which becomes the previous one (the old previous forgotten) once it has
// taken horizon_bytes or expected_keys keys, so a key stays between one and
// two generations. contains() can be wrong only by saying yes (a few % of
// false positives at expected_keys per generation); capping a generation
// at expected_keys keeps that rate when objects are smaller than planned.
//
// Bounds: 2 x kBitsPerKey bits per planned key, rounded up to a power of
// two (expected_keys, raised by reserve(): it only grows, at least doubling
// each time); no other allocation; insert O(1) amortised (a rotation clears
// one generation, at most once per planned keys inserts), contains O(1).
// Deterministic. Not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "origin-sync/content_hash.h"

namespace relais {

class GhostFilter {
 public:
  static constexpr std::size_t kBitsPerKey = 10;  // 3 probes: ~2 % false positives
  static constexpr std::size_t kMinKeys = 64;

  GhostFilter(std::uint64_t horizon_bytes, std::size_t expected_keys);

  void insert(const ContentHash& key, std::uint64_t bytes);
  bool contains(const ContentHash& key) const;
  // More keys per horizon than planned (objects smaller than expected):
  // both generations grow to hold `keys`, forgetting what they held.
  void reserve(std::size_t keys);

  std::uint64_t horizon_bytes() const { return horizon_bytes_; }
  std::size_t table_bytes() const { return (current_.size() + previous_.size()) * sizeof(std::uint64_t); }

 private:
  void rotate();

  std::uint64_t horizon_bytes_;
  std::size_t max_keys_;
  std::uint64_t bit_mask_;  // bits per generation - 1
  std::vector<std::uint64_t> current_, previous_;
  std::uint64_t bytes_ = 0;  // taken by the current generation
  std::size_t keys_ = 0;
};

}  // namespace relais
