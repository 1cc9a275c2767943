// ContentHash: the XXH3-128 of a blob's bytes, the name of every blob.
//
// XXH3-128 is not a cryptographic hash: it detects corruption and truncation
// (disk, network, a half-written file), it does not authenticate the origin.
// Authenticity comes from fetching the manifest over TLS from a trusted origin.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "origin-sync/result.h"

namespace relais {

struct ContentHash {
  std::uint64_t high = 0;
  std::uint64_t low = 0;

  static constexpr std::size_t kHexLength = 32;

  // Lower-case, 32 hex digits, high then low, each big-endian.
  std::string hex() const;
  // Writes kHexLength characters into out (no terminator).
  void write_hex(char* out) const;
  // Accepts exactly 32 hex digits (either case); anything else is nullopt.
  static std::optional<ContentHash> from_hex(std::string_view text);

  friend bool operator==(const ContentHash&, const ContentHash&) = default;
};

struct ContentHashHasher {
  std::size_t operator()(const ContentHash& h) const noexcept { return static_cast<std::size_t>(h.low ^ (h.high * 0x9E3779B97F4A7C15ull)); }
};

ContentHash hash_bytes(std::span<const std::byte> bytes);
ContentHash hash_bytes(std::string_view bytes);

// Streaming hasher for files and network bodies; owns the XXH3 state.
class ContentHasher {
 public:
  ContentHasher();
  ~ContentHasher();
  ContentHasher(const ContentHasher&) = delete;
  ContentHasher& operator=(const ContentHasher&) = delete;

  void update(const void* data, std::size_t size);
  ContentHash digest() const;
  void reset();

 private:
  void* state_;  // XXH3_state_t, kept out of this header
};

struct FileDigest {
  ContentHash hash;
  std::uint64_t size = 0;
};

// Reads the whole file and hashes it. Storage error if it cannot be read.
Result<FileDigest> hash_file(const std::string& path);

}  // namespace relais
