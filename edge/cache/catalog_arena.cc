#include "edge/cache/catalog_arena.h"

#include <algorithm>
#include <cstdint>

namespace relais {

std::string_view CatalogArena::copy(std::string_view bytes) {
  if (bytes.empty()) return {};
  auto* p = static_cast<char*>(allocate(bytes.size(), 1));
  std::memcpy(p, bytes.data(), bytes.size());
  return std::string_view(p, bytes.size());
}

void* CatalogArena::allocate(std::size_t bytes, std::size_t align) {
  const auto address = reinterpret_cast<std::uintptr_t>(next_);
  std::size_t pad = (align - address % align) % align;
  if (next_ == nullptr || pad + bytes > left_) {
    // A new block; a request larger than a block (none in a valid catalog)
    // gets a block of its own size.
    const std::size_t size = std::max(kBlockBytes, bytes);
    blocks_.push_back(std::make_unique_for_overwrite<std::byte[]>(size));
    next_ = blocks_.back().get();
    left_ = size;
    reserved_ += size;
    pad = 0;  // operator new aligns for every fundamental type
  }
  void* p = next_ + pad;
  next_ += pad + bytes;
  left_ -= pad + bytes;
  return p;
}

}  // namespace relais
