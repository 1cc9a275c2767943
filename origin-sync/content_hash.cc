#include "origin-sync/content_hash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "origin-sync/hex.h"
#include "origin-sync/unique_fd.h"

namespace relais {
namespace {

ContentHash from_xxh(XXH128_hash_t h) { return ContentHash{h.high64, h.low64}; }

XXH3_state_t* state_of(void* p) { return static_cast<XXH3_state_t*>(p); }

// Large enough to amortise read(2), small enough for many worker threads.
constexpr std::size_t kReadChunkBytes = 256 * 1024;

}  // namespace

void ContentHash::write_hex(char* out) const {
  for (int i = 0; i < 16; ++i) {
    out[i] = kLowerHexDigits[(high >> (60 - 4 * i)) & 0xF];
    out[16 + i] = kLowerHexDigits[(low >> (60 - 4 * i)) & 0xF];
  }
}

std::string ContentHash::hex() const {
  std::string s(kHexLength, '0');
  write_hex(s.data());
  return s;
}

std::optional<ContentHash> ContentHash::from_hex(std::string_view text) {
  if (text.size() != kHexLength) return std::nullopt;
  ContentHash h;
  for (std::size_t i = 0; i < kHexLength; ++i) {
    int v = hex_digit_value(text[i]);
    if (v < 0) return std::nullopt;
    std::uint64_t& word = i < 16 ? h.high : h.low;
    word = (word << 4) | static_cast<std::uint64_t>(v);
  }
  return h;
}

ContentHash hash_bytes(std::span<const std::byte> bytes) {
  return from_xxh(XXH3_128bits(bytes.data(), bytes.size()));
}

ContentHash hash_bytes(std::string_view bytes) { return from_xxh(XXH3_128bits(bytes.data(), bytes.size())); }

ContentHasher::ContentHasher() : state_(XXH3_createState()) {
  RELAIS_ASSERT(state_ != nullptr);
  reset();
}

ContentHasher::~ContentHasher() { XXH3_freeState(state_of(state_)); }

void ContentHasher::update(const void* data, std::size_t size) {
  RELAIS_ASSERT(XXH3_128bits_update(state_of(state_), data, size) == XXH_OK);
}

ContentHash ContentHasher::digest() const { return from_xxh(XXH3_128bits_digest(state_of(state_))); }

void ContentHasher::reset() { RELAIS_ASSERT(XXH3_128bits_reset(state_of(state_)) == XXH_OK); }

Result<FileDigest> hash_file(const std::string& path) {
  // O_NONBLOCK: a FIFO put where a blob should be must not hang us.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return Error::storage("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Error::storage("cannot stat " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Error::storage(path + " is not a regular file");
  ContentHasher hasher;
  std::vector<char> buffer(kReadChunkBytes);
  FileDigest digest;
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::storage("cannot read " + path + ": " + std::strerror(errno));
    if (n == 0) break;
    hasher.update(buffer.data(), static_cast<std::size_t>(n));
    digest.size += static_cast<std::uint64_t>(n);
  }
  digest.hash = hasher.digest();
  return digest;
}

}  // namespace relais
