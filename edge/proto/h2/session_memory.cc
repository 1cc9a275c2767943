#include "edge/proto/h2/session_memory.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace relais::h2 {
namespace {

std::size_t page_size() {
  static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return page;
}

SessionMemory& self(void* user) { return *static_cast<SessionMemory*>(user); }

// Every byte zero: the first is, and each equals the next (one memcmp).
bool all_zero(const void* at, std::size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(at);
  return size == 0 || (bytes[0] == 0 && std::memcmp(bytes, bytes + 1, size - 1) == 0);
}

}  // namespace

SessionMemory::SessionMemory() {
  mem_.mem_user_data = this;
  mem_.malloc = [](std::size_t size, void* user) { return self(user).allocate(size); };
  mem_.free = [](void* ptr, void* user) { self(user).release(ptr); };
  mem_.calloc = [](std::size_t count, std::size_t size, void* user) -> void* {
    if (size != 0 && count > std::numeric_limits<std::size_t>::max() / size) return nullptr;
    void* p = self(user).allocate(count * size);
    if (p != nullptr) std::memset(p, 0, count * size);
    return p;
  };
  mem_.realloc = [](void* ptr, std::size_t size, void* user) { return self(user).reallocate(ptr, size); };
}

SessionMemory::Block* SessionMemory::find(void* ptr) {
  for (Block& b : large_)
    if (b.at == ptr) return &b;
  return nullptr;
}

bool SessionMemory::page_block(std::size_t size) const {
  return size >= kScratchMin || (making_ && size >= page_size());
}

void* SessionMemory::allocate(std::size_t size) {
  if (!page_block(size)) return std::malloc(size);
  const std::size_t page = page_size();
  // Page-aligned and a whole number of pages: madvise() on it touches no
  // other allocation and no allocator metadata.
  const std::size_t rounded = (size + page - 1) / page * page;
  void* p = std::aligned_alloc(page, rounded);
  const Kind kind = !making_ ? Kind::kept : size >= kScratchMin ? Kind::scratch : Kind::zero_kept;
  if (p != nullptr) large_.push_back(Block{p, rounded, kind});
  return p;
}

void SessionMemory::release(void* ptr) {
  if (ptr == nullptr) return;
  auto it = std::find_if(large_.begin(), large_.end(), [ptr](const Block& b) { return b.at == ptr; });
  if (it != large_.end()) large_.erase(it);
  std::free(ptr);
}

void* SessionMemory::reallocate(void* ptr, std::size_t size) {
  if (ptr == nullptr) return allocate(size);
  const Block* block = find(ptr);
  if (block == nullptr && !page_block(size)) return std::realloc(ptr, size);
  if (block != nullptr && size <= block->size) return ptr;
  const std::size_t old_size = block != nullptr ? block->size : ::malloc_usable_size(ptr);
  void* p = allocate(size);
  if (p == nullptr) return nullptr;  // realloc's contract: the old block stays
  std::memcpy(p, ptr, std::min(old_size, size));
  release(ptr);
  return p;
}

std::size_t SessionMemory::release_idle_pages() {
  std::size_t released = 0;
  for (const Block& b : large_) {
    const bool idle = b.kind == Kind::scratch || (b.kind == Kind::zero_kept && all_zero(b.at, b.size));
    if (idle && ::madvise(b.at, b.size, MADV_DONTNEED) == 0) released += b.size;
  }
  return released;
}

std::vector<const void*> SessionMemory::blocks_of(Kind kind) const {
  std::vector<const void*> out;
  for (const Block& b : large_)
    if (b.kind == kind) out.push_back(b.at);
  return out;
}

std::vector<const void*> SessionMemory::scratch_blocks() const { return blocks_of(Kind::scratch); }

std::vector<const void*> SessionMemory::zero_kept_blocks() const { return blocks_of(Kind::zero_kept); }

}  // namespace relais::h2
