#include "edge/http/head_cache.h"

#include <cstring>

namespace relais::http {

HeadCache::HeadCache() : slots_(new Slot[kSlots]) {}

const HeadCache::Slot& HeadCache::slot(const Key& key) const {
  // Fibonacci hashing of the entry's address and the variant: the top bits
  // of the product depend on all of the address's bits.
  const std::uint64_t h = (reinterpret_cast<std::uintptr_t>(key.entry) + key.variant) * 0x9E3779B97F4A7C15ull;
  return slots_[h >> 54];  // 2^10 = kSlots
}

std::string_view HeadCache::find(const Key& key) const {
  const Slot& s = slot(key);
  if (s.length == 0 || !(s.key == key)) return {};
  return std::string_view(s.block, s.length);
}

void HeadCache::store(const Key& key, std::string_view block) {
  if (block.empty() || block.size() > kMaxBlock || key.entry == nullptr) return;
  Slot& s = const_cast<Slot&>(slot(key));
  s.key = key;
  std::memcpy(s.block, block.data(), block.size());
  s.length = static_cast<std::uint16_t>(block.size());
}

}  // namespace relais::http
