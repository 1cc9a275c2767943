#include "edge/proto/h1/head_cache.h"

#include <cstring>

namespace relais::http {

HeadCache::HeadCache() : slots_(new Slot[kSlots]) {}

std::size_t HeadCache::index(const Key& key) {
  // Fibonacci hashing of the entry's address and the variant: the top bits
  // of the product depend on all of the address's bits.
  const std::uint64_t h = (reinterpret_cast<std::uintptr_t>(key.entry) + key.variant) * 0x9E3779B97F4A7C15ull;
  return static_cast<std::size_t>(h >> 54);  // 2^10 = kSlots
}

std::string_view HeadCache::find(const Key& key) const {
  const Slot& s = slots_[index(key)];
  if (s.length == 0 || !(s.key == key)) return {};
  return std::string_view(s.block, s.length);
}

void HeadCache::store(const Key& key, std::string_view block) {
  if (block.empty() || block.size() > kMaxBlock || key.entry == nullptr) return;
  Slot& s = slots_[index(key)];
  s.key = key;
  std::memcpy(s.block, block.data(), block.size());
  s.length = static_cast<std::uint16_t>(block.size());
}

std::string_view HeadCache::ok_prefix(std::string_view server, std::string_view date) {
  if (date != ok_date_ || server != ok_server_) {
    ok_date_.assign(date);
    ok_server_.assign(server);
    ok_prefix_.assign("HTTP/1.1 200 OK\r\nServer: ");
    ok_prefix_.append(server);
    ok_prefix_.append("\r\nDate: ");
    ok_prefix_.append(date);
    ok_prefix_.append("\r\n");
  }
  return ok_prefix_;
}

}  // namespace relais::http
