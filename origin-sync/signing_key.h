// Ed25519 keys of a publisher: the private key signs manifests, the public
// keys an edge trusts verify them (manifest_trust.h, publication_check.h).
//
// Keys are OpenSSL PEM files: the private key PKCS#8 ("BEGIN PRIVATE KEY"),
// the public key SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"), so that
// `openssl pkey` and `openssl pkeyutl -verify -rawin` read them too. A key is
// named by its KeyId: the first 8 bytes of the SHA-256 of its raw 32-byte
// public key, in hex; a signature line carries it so that a verifier with
// several trusted keys (rotation) checks exactly one.
// Owns an EVP_PKEY; immutable once loaded, so one key may verify on many
// threads at once.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "origin-sync/result.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace relais {

inline constexpr std::size_t kEd25519SignatureBytes = 64;
inline constexpr std::size_t kKeyIdHexLength = 16;
using Ed25519Signature = std::array<std::uint8_t, kEd25519SignatureBytes>;

namespace detail {
struct PkeyFree {
  void operator()(EVP_PKEY* k) const;
};
}  // namespace detail

class PublicKey {
 public:
  // Config error naming the file when it is unreadable or not an Ed25519 public key.
  static Result<PublicKey> load(const std::string& pem_file);
  static Result<PublicKey> from_raw(std::span<const std::uint8_t, 32> raw);

  const std::string& key_id() const { return key_id_; }
  // Whether `signature` is this key's Ed25519 signature of exactly `message`.
  bool verify(std::string_view message, const Ed25519Signature& signature) const;
  std::string pem() const;

 private:
  std::shared_ptr<EVP_PKEY> key_;
  std::string key_id_;
};

class SigningKey {
 public:
  // A fresh key from the system's random source.
  static Result<SigningKey> generate();
  // Config error naming the file (unreadable, not Ed25519, or readable by
  // group or others: a private key must be 0600 or stricter).
  static Result<SigningKey> load(const std::string& pem_file);
  static Result<SigningKey> from_raw(std::span<const std::uint8_t, 32> seed);

  const PublicKey& public_key() const { return public_; }
  const std::string& key_id() const { return public_.key_id(); }
  Ed25519Signature sign(std::string_view message) const;
  std::string private_pem() const;

 private:
  // Takes ownership of a valid Ed25519 private key.
  static SigningKey adopt(EVP_PKEY* key);

  std::unique_ptr<EVP_PKEY, detail::PkeyFree> key_;
  PublicKey public_;
};

// A set of trusted keys, the verifier's side of rotation: edges trust the
// old and the new key while the publisher switches.
class TrustedKeys {
 public:
  TrustedKeys() = default;
  explicit TrustedKeys(std::vector<PublicKey> keys) : keys_(std::move(keys)) {}
  // Loads each file; the first failure is a config error naming it.
  static Result<TrustedKeys> load(const std::vector<std::string>& pem_files);

  bool empty() const { return keys_.empty(); }
  const PublicKey* find(std::string_view key_id) const;
  std::string ids() const;  // "a1b2…, c3d4…" for messages

 private:
  std::vector<PublicKey> keys_;
};

// Writes a new key pair: the private key created 0600 with O_EXCL (never
// over an existing file), the public key 0644. Returns the key id.
Result<std::string> write_new_key_pair(const std::string& private_file, const std::string& public_file);

}  // namespace relais
