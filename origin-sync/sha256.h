// Sha256: the cryptographic digest of a blob, carried by signed manifests.
//
// XXH3-128 names blobs and is checked on every read because it is fast; it
// is not collision-resistant, so an origin could craft other bytes under a
// published name. A signed manifest also lists each blob's SHA-256
// (manifest_trust.h), which a pull checks before the blob becomes visible.
// Computed through OpenSSL's EVP interface (SHA-NI where the CPU has it).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "origin-sync/content_hash.h"
#include "origin-sync/result.h"

namespace relais {

struct Sha256 {
  std::array<std::uint8_t, 32> bytes{};

  static constexpr std::size_t kHexLength = 64;
  std::string hex() const;  // lower case
  // Exactly 64 lower-case hex digits (one spelling, as everything in a manifest).
  static std::optional<Sha256> from_hex(std::string_view text);

  friend bool operator==(const Sha256&, const Sha256&) = default;
};

Sha256 sha256_bytes(std::string_view bytes);

// Streaming SHA-256; owns an EVP_MD_CTX.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void update(const void* data, std::size_t size);
  Sha256 digest() const;  // of everything so far; the hasher can go on
  void reset();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

struct FileDigests {
  ContentHash hash;              // XXH3-128
  std::optional<Sha256> sha256;  // only when asked for
  std::uint64_t size = 0;
};

// Reads the file once, feeding XXH3-128 and, when with_sha256, SHA-256 from
// the same buffer. Storage error if it cannot be read.
Result<FileDigests> digest_file(const std::string& path, bool with_sha256);

}  // namespace relais
