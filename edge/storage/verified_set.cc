#include "edge/storage/verified_set.h"

#include <algorithm>
#include <bit>

namespace relais {

namespace {
// Both halves folded into 64 bits. 0 marks an empty slot: the fold that
// gives 0 is stored as 1 (a false "verified" still needs a 64-bit collision).
std::uint64_t key_of(const ContentHash& hash) {
  const std::uint64_t k = hash.low ^ std::rotl(hash.high, 29);
  return k == 0 ? 1 : k;
}
}  // namespace

std::size_t VerifiedSet::find_slot(std::uint64_t key) const {
  // Fibonacci hashing: sequential test keys spread as well as digests do.
  constexpr int kShift = 64 - std::countr_zero(kSlots);
  std::size_t i = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> kShift);
  while (slots_[i] != 0 && slots_[i] != key) i = (i + 1) & (kSlots - 1);
  return i;
}

bool VerifiedSet::contains(const ContentHash& hash) const {
  if (!slots_) return false;
  return slots_[find_slot(key_of(hash))] != 0;
}

void VerifiedSet::insert(const ContentHash& hash) {
  if (!slots_) slots_ = std::make_unique<std::uint64_t[]>(kSlots);
  if (size_ >= kSlots / 2) clear();  // probe runs stay short; see the header
  const std::uint64_t key = key_of(hash);
  std::size_t i = find_slot(key);
  if (slots_[i] == key) return;
  slots_[i] = key;
  ++size_;
}

void VerifiedSet::clear() {
  if (slots_) std::fill_n(slots_.get(), kSlots, std::uint64_t{0});
  size_ = 0;
}

}  // namespace relais
