#include "origin-sync/signing_key.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "origin-sync/atomic_file.h"
#include "origin-sync/sha256.h"
#include "origin-sync/unique_fd.h"

namespace relais {

void detail::PkeyFree::operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Pkey = std::unique_ptr<EVP_PKEY, detail::PkeyFree>;

// A PEM key file is a few hundred bytes: anything much larger is not one.
constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;

Result<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::config(path + ": cannot read: " + std::strerror(errno));
  std::string text(kMaxKeyFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxKeyFileBytes) return Error::config(path + ": too large for a key file");
  return text;
}

std::string pem_of(EVP_PKEY* key, bool private_part) {
  Bio bio(BIO_new(BIO_s_mem()));
  RELAIS_ASSERT(bio != nullptr);
  const int ok = private_part ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                              : PEM_write_bio_PUBKEY(bio.get(), key);
  RELAIS_ASSERT(ok == 1);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string key_id_of(EVP_PKEY* key) {
  std::array<std::uint8_t, 32> raw{};
  std::size_t length = raw.size();
  RELAIS_ASSERT(EVP_PKEY_get_raw_public_key(key, raw.data(), &length) == 1 && length == raw.size());
  return sha256_bytes(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size())).hex().substr(0, kKeyIdHexLength);
}

}  // namespace

Result<PublicKey> PublicKey::from_raw(std::span<const std::uint8_t, 32> raw) {
  Pkey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw.data(), raw.size()));
  if (!key) return Error::config("not an Ed25519 public key");
  PublicKey p;
  p.key_id_ = key_id_of(key.get());
  p.key_.reset(key.release(), detail::PkeyFree{});
  return p;
}

Result<PublicKey> PublicKey::load(const std::string& pem_file) {
  auto text = read_small_file(pem_file);
  if (!text) return text.error();
  Bio bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
  RELAIS_ASSERT(bio != nullptr);
  Pkey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519)
    return Error::config(pem_file + ": not an Ed25519 public key in PEM (BEGIN PUBLIC KEY)");
  PublicKey p;
  p.key_id_ = key_id_of(key.get());
  p.key_.reset(key.release(), detail::PkeyFree{});
  return p;
}

bool PublicKey::verify(std::string_view message, const Ed25519Signature& signature) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  RELAIS_ASSERT(ctx != nullptr);
  // Ed25519 is used "pure" (no digest argument): the signature covers the bytes themselves.
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                          reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

std::string PublicKey::pem() const { return pem_of(key_.get(), false); }

Result<SigningKey> SigningKey::generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) return Error::internal("Ed25519 key generation failed");
  return adopt(key);
}

SigningKey SigningKey::adopt(EVP_PKEY* key) {
  SigningKey s;
  s.key_.reset(key);
  std::array<std::uint8_t, 32> raw{};
  std::size_t length = raw.size();
  RELAIS_ASSERT(EVP_PKEY_get_raw_public_key(s.key_.get(), raw.data(), &length) == 1 && length == raw.size());
  auto pub = PublicKey::from_raw(raw);
  RELAIS_ASSERT(pub.ok());  // the public half of a valid private key
  s.public_ = std::move(pub.value());
  return s;
}

Result<SigningKey> SigningKey::from_raw(std::span<const std::uint8_t, 32> seed) {
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size());
  if (key == nullptr) return Error::config("not an Ed25519 private key");
  return adopt(key);
}

Result<SigningKey> SigningKey::load(const std::string& pem_file) {
  struct stat st {};
  if (::stat(pem_file.c_str(), &st) != 0) return Error::config(pem_file + ": " + std::strerror(errno));
  // As ssh does: a private key others can read is a key to replace, not to use.
  if ((st.st_mode & 077) != 0)
    return Error::config(pem_file + ": a private key must not be readable by group or others (chmod 600)");
  auto text = read_small_file(pem_file);
  if (!text) return text.error();
  Bio bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
  RELAIS_ASSERT(bio != nullptr);
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  // Wipe our copy of the secret; OpenSSL keeps its own in secure memory.
  OPENSSL_cleanse(text->data(), text->size());
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519)
    return Error::config(pem_file + ": not an Ed25519 private key in PEM (BEGIN PRIVATE KEY)");
  return adopt(key.release());
}

Ed25519Signature SigningKey::sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  RELAIS_ASSERT(ctx != nullptr);
  RELAIS_ASSERT(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) == 1);
  Ed25519Signature signature{};
  std::size_t length = signature.size();
  RELAIS_ASSERT(EVP_DigestSign(ctx.get(), signature.data(), &length,
                               reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1);
  RELAIS_ASSERT(length == signature.size());
  return signature;
}

std::string SigningKey::private_pem() const { return pem_of(key_.get(), true); }

Result<TrustedKeys> TrustedKeys::load(const std::vector<std::string>& pem_files) {
  std::vector<PublicKey> keys;
  for (const std::string& f : pem_files) {
    auto k = PublicKey::load(f);
    if (!k) return k.error();
    keys.push_back(std::move(k.value()));
  }
  return TrustedKeys(std::move(keys));
}

const PublicKey* TrustedKeys::find(std::string_view key_id) const {
  for (const PublicKey& k : keys_)
    if (k.key_id() == key_id) return &k;
  return nullptr;
}

std::string TrustedKeys::ids() const {
  std::string out;
  for (const PublicKey& k : keys_) out += (out.empty() ? "" : ", ") + k.key_id();
  return out;
}

Result<std::string> write_new_key_pair(const std::string& private_file, const std::string& public_file) {
  auto key = SigningKey::generate();
  if (!key) return key.error();
  // O_EXCL: never overwrite a key (a lost private key cannot be recovered),
  // 0600 from creation, so there is no moment the secret is readable by others.
  UniqueFd fd(::open(private_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return Error::storage(private_file + ": " + std::strerror(errno));
  std::string pem = key->private_pem();
  std::string_view rest = pem;
  while (!rest.empty()) {
    ssize_t n = ::write(fd.get(), rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      OPENSSL_cleanse(pem.data(), pem.size());
      ::unlink(private_file.c_str());
      return Error::storage("cannot write " + private_file + ": " + std::strerror(errno));
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  OPENSSL_cleanse(pem.data(), pem.size());
  if (::fsync(fd.get()) != 0) return Error::storage("cannot fsync " + private_file + ": " + std::strerror(errno));
  struct stat st {};
  if (::lstat(public_file.c_str(), &st) == 0) {
    ::unlink(private_file.c_str());
    return Error::storage(public_file + ": exists already");
  }
  if (auto s = write_file_atomically(public_file, key->public_key().pem()); !s) {
    ::unlink(private_file.c_str());
    return s.error();
  }
  return key->key_id();
}

}  // namespace relais
