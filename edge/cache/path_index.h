// PathIndex: an open-addressing hash set of strings that live elsewhere.
//
// The Catalog indexes its files and its directories with it. A slot is 8
// bytes (the id of the entry whose path holds the key, the key's length, 16
// bits of its hash), where a std::unordered_map spends a 48-byte node plus a
// bucket pointer per key. The key bytes are not copied: a key is the first
// `length` bytes of the string that key_of(id) points at (a file's whole path,
// or a directory as a prefix of one of its files' paths), so the strings must
// outlive the index and never move (the Catalog's arena).
//
// Linear probing, capacity a power of two, at most 3/4 full: a lookup hashes
// the key once (XXH3), touches one or two adjacent slots and compares bytes
// only when the 16-bit tag matches. Lookups allocate nothing and are safe from
// any number of threads once the index is built; building is single-threaded.
// Keys are 1..65535 bytes (a manifest path is at most 1024).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

namespace relais {

class PathIndex {
 public:
  // Sized for `expected` keys without growing.
  explicit PathIndex(std::size_t expected = 0);

  static std::uint64_t hash(std::string_view key);

  // Adds key (with its hash) for id unless an equal key is present; returns
  // whether it was added.
  template <typename KeyOf>
  bool insert(std::string_view key, std::uint64_t h, std::uint32_t id, const KeyOf& key_of) {
    if ((count_ + 1) * 4 > slots_.size() * 3) grow(key_of);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.length == 0) {
        s = Slot{id, static_cast<std::uint16_t>(key.size()), tag(h)};
        ++count_;
        return true;
      }
      if (matches(s, key, tag(h), key_of)) return false;
    }
  }

  // The id stored for key, if any.
  template <typename KeyOf>
  std::optional<std::uint32_t> find(std::string_view key, const KeyOf& key_of) const {
    if (key.empty() || key.size() > UINT16_MAX || count_ == 0) return std::nullopt;
    const std::uint64_t h = hash(key);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.length == 0) return std::nullopt;
      if (matches(s, key, tag(h), key_of)) return s.id;
    }
  }

  std::size_t size() const { return count_; }
  std::size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    std::uint32_t id = 0;
    std::uint16_t length = 0;  // 0: empty (keys are never empty)
    std::uint16_t tag = 0;
  };
  static_assert(sizeof(Slot) == 8);

  // The slot comes from the low bits, the tag from the high ones.
  static std::uint16_t tag(std::uint64_t h) { return static_cast<std::uint16_t>(h >> 48); }

  template <typename KeyOf>
  static bool matches(const Slot& s, std::string_view key, std::uint16_t t, const KeyOf& key_of) {
    return s.tag == t && s.length == key.size() && std::memcmp(key_of(s.id), key.data(), key.size()) == 0;
  }

  template <typename KeyOf>
  void grow(const KeyOf& key_of) {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.length == 0) continue;
      std::size_t i = hash(std::string_view(key_of(s.id), s.length)) & mask;
      while (slots_[i].length != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::size_t count_ = 0;
};

}  // namespace relais
