// CatalogArena: append-only storage for a Catalog's paths, content types and
// variants.
//
// Memory comes in blocks that never move, so a view into the arena stays
// valid for the arena's whole life, however much is appended after it; the
// blocks are freed all at once with the Catalog that owns them. One block
// per kBlockBytes keeps the per-allocation overhead (a malloc header, a
// std::string or std::vector object) off the million small strings of a
// large catalog. Not thread-safe: filled by one builder, then only read.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace relais {

class CatalogArena {
 public:
  // 1 MiB: small beside a catalog of any size that matters, large beside
  // the biggest single allocation (a 1 KiB path), so the tail a block
  // leaves unused is under 0.1 %.
  static constexpr std::size_t kBlockBytes = std::size_t{1} << 20;

  CatalogArena() = default;
  CatalogArena(const CatalogArena&) = delete;
  CatalogArena& operator=(const CatalogArena&) = delete;
  CatalogArena(CatalogArena&&) = default;
  CatalogArena& operator=(CatalogArena&&) = default;

  // Copies bytes in; the view is stable for the arena's life.
  std::string_view copy(std::string_view bytes);
  // Copies a trivially copyable array in, aligned for T.
  template <typename T>
  std::span<const T> copy(std::span<const T> items) {
    if (items.empty()) return {};
    void* p = allocate(items.size_bytes(), alignof(T));
    std::memcpy(p, items.data(), items.size_bytes());
    return std::span<const T>(static_cast<const T*>(p), items.size());
  }

  // Bytes taken from the allocator (whole blocks).
  std::size_t reserved_bytes() const { return reserved_; }

 private:
  void* allocate(std::size_t bytes, std::size_t align);

  std::vector<std::unique_ptr<std::byte[]>> blocks_;
  std::byte* next_ = nullptr;
  std::size_t left_ = 0;
  std::size_t reserved_ = 0;
};

}  // namespace relais
