#include "origin-sync/sha256.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "origin-sync/hex.h"
#include "origin-sync/unique_fd.h"

namespace relais {

struct Sha256Hasher::State {
  struct Free {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> ctx{EVP_MD_CTX_new()};
};

namespace {
}  // namespace

std::string Sha256::hex() const {
  std::string out(kHexLength, '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kLowerHexDigits[bytes[i] >> 4];
    out[2 * i + 1] = kLowerHexDigits[bytes[i] & 15];
  }
  return out;
}

std::optional<Sha256> Sha256::from_hex(std::string_view text) {
  if (text.size() != kHexLength) return std::nullopt;
  Sha256 s;
  for (std::size_t i = 0; i < s.bytes.size(); ++i) {
    const int hi = hex_digit_value(text[2 * i], false);
    const int lo = hex_digit_value(text[2 * i + 1], false);
    if (hi < 0 || lo < 0) return std::nullopt;
    s.bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return s;
}

Sha256Hasher::Sha256Hasher() : state_(std::make_unique<State>()) {
  // Allocation failure inside OpenSSL is resource exhaustion, not input.
  RELAIS_ASSERT(state_->ctx != nullptr);
  reset();
}

Sha256Hasher::~Sha256Hasher() = default;

void Sha256Hasher::update(const void* data, std::size_t size) {
  RELAIS_ASSERT(EVP_DigestUpdate(state_->ctx.get(), data, size) == 1);
}

Sha256 Sha256Hasher::digest() const {
  // Finalising consumes the context: finish a copy so that update() may go on.
  State copy;
  RELAIS_ASSERT(copy.ctx != nullptr && EVP_MD_CTX_copy_ex(copy.ctx.get(), state_->ctx.get()) == 1);
  Sha256 out;
  unsigned int length = 0;
  RELAIS_ASSERT(EVP_DigestFinal_ex(copy.ctx.get(), out.bytes.data(), &length) == 1 && length == out.bytes.size());
  return out;
}

void Sha256Hasher::reset() { RELAIS_ASSERT(EVP_DigestInit_ex(state_->ctx.get(), EVP_sha256(), nullptr) == 1); }

Sha256 sha256_bytes(std::string_view bytes) {
  Sha256Hasher h;
  h.update(bytes.data(), bytes.size());
  return h.digest();
}

Result<FileDigests> digest_file(const std::string& path, bool with_sha256) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return Error::storage("cannot open " + path + ": " + std::strerror(errno));
  std::vector<char> buffer(1 << 20);
  ContentHasher xxh3;
  std::optional<Sha256Hasher> sha;
  if (with_sha256) sha.emplace();
  FileDigests out;
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::storage("cannot read " + path + ": " + std::strerror(errno));
    if (n == 0) break;
    xxh3.update(buffer.data(), static_cast<std::size_t>(n));
    if (sha) sha->update(buffer.data(), static_cast<std::size_t>(n));
    out.size += static_cast<std::uint64_t>(n);
  }
  out.hash = xxh3.digest();
  if (sha) out.sha256 = sha->digest();
  return out;
}

}  // namespace relais
