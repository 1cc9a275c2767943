#include "origin-sync/signing_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "origin-sync/sha256.h"
#include "tests/unit/origin-sync/scratch_dir.h"

namespace relais {
namespace {

std::array<std::uint8_t, 32> raw32(std::string_view hex) { return Sha256::from_hex(hex).value().bytes; }

Ed25519Signature raw64(std::string_view hex) {
  Ed25519Signature s{};
  auto a = raw32(hex.substr(0, 64));
  auto b = raw32(hex.substr(64));
  std::copy(a.begin(), a.end(), s.begin());
  std::copy(b.begin(), b.end(), s.begin() + 32);
  return s;
}

// RFC 8032 §7.1, tests 1 and 2.
struct Vector {
  const char* secret;
  const char* public_key;
  std::string message;
  const char* signature;
};
const Vector kVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "\x72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
};

TEST(SigningKey, SignsTheRfc8032VectorsBitForBit) {
  for (const Vector& v : kVectors) {
    auto key = SigningKey::from_raw(raw32(v.secret));
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(key->sign(v.message), raw64(v.signature));
    auto pub = PublicKey::from_raw(raw32(v.public_key));
    ASSERT_TRUE(pub.ok());
    EXPECT_EQ(pub->key_id(), key->key_id());
    EXPECT_TRUE(pub->verify(v.message, raw64(v.signature)));
  }
}

TEST(SigningKey, VerifyRefusesAnyFlippedBitOfMessageOrSignature) {
  const Vector& v = kVectors[1];
  auto pub = PublicKey::from_raw(raw32(v.public_key)).value();
  const Ed25519Signature good = raw64(v.signature);
  for (std::size_t byte = 0; byte < good.size(); byte += 7) {
    Ed25519Signature bad = good;
    bad[byte] ^= 0x01;
    EXPECT_FALSE(pub.verify(v.message, bad)) << byte;
  }
  EXPECT_FALSE(pub.verify("\x73", good));
  EXPECT_FALSE(pub.verify("", good));
  // The other vector's key does not verify this signature.
  EXPECT_FALSE(PublicKey::from_raw(raw32(kVectors[0].public_key)).value().verify(v.message, good));
}

TEST(SigningKey, KeygenWritesAPrivateKeyOnlyTheOwnerReadsAndNeverOverwrites) {
  ScratchDir dir;
  auto id = write_new_key_pair(dir.file("k.key"), dir.file("k.pub"));
  ASSERT_TRUE(id.ok()) << id.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("k.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto key = SigningKey::load(dir.file("k.key"));
  ASSERT_TRUE(key.ok()) << key.error().message;
  auto pub = PublicKey::load(dir.file("k.pub"));
  ASSERT_TRUE(pub.ok()) << pub.error().message;
  EXPECT_EQ(key->key_id(), *id);
  EXPECT_EQ(pub->key_id(), *id);
  EXPECT_TRUE(pub->verify("lesson", key->sign("lesson")));
  const std::string before = dir.read("k.key");
  EXPECT_FALSE(write_new_key_pair(dir.file("k.key"), dir.file("other.pub")).ok());
  EXPECT_EQ(dir.read("k.key"), before);
}

TEST(SigningKey, RefusesAPrivateKeyOthersCanReadAndFilesThatAreNotKeys) {
  ScratchDir dir;
  ASSERT_TRUE(write_new_key_pair(dir.file("k.key"), dir.file("k.pub")).ok());
  ASSERT_EQ(::chmod(dir.file("k.key").c_str(), 0644), 0);
  auto loose = SigningKey::load(dir.file("k.key"));
  ASSERT_FALSE(loose.ok());
  EXPECT_NE(loose.error().message.find("chmod 600"), std::string::npos);
  dir.write("junk.pub", "not a key\n");
  EXPECT_FALSE(PublicKey::load(dir.file("junk.pub")).ok());
  // A private key given where a public one is expected.
  EXPECT_FALSE(PublicKey::load(dir.file("k.key")).ok());
  EXPECT_FALSE(PublicKey::load(dir.file("missing.pub")).ok());
}

TEST(TrustedKeys, FindsAKeyByIdAmongSeveral) {
  auto a = SigningKey::from_raw(raw32(kVectors[0].secret)).value();
  auto b = SigningKey::from_raw(raw32(kVectors[1].secret)).value();
  TrustedKeys keys({a.public_key(), b.public_key()});
  ASSERT_NE(keys.find(b.key_id()), nullptr);
  EXPECT_EQ(keys.find(b.key_id())->key_id(), b.key_id());
  EXPECT_EQ(keys.find("0000000000000000"), nullptr);
  EXPECT_EQ(keys.ids(), a.key_id() + ", " + b.key_id());
}

TEST(Sha256, MatchesTheFips180Vectors) {
  EXPECT_EQ(sha256_bytes("").hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_bytes("abc").hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256Hasher h;
  h.update("a", 1);
  const Sha256 partial = h.digest();  // digest() does not end the stream
  h.update("bc", 2);
  EXPECT_EQ(h.digest(), sha256_bytes("abc"));
  EXPECT_EQ(partial, sha256_bytes("a"));
  EXPECT_FALSE(Sha256::from_hex(std::string(64, 'A')).has_value());  // one spelling: lower case
  EXPECT_FALSE(Sha256::from_hex(std::string(63, 'a')).has_value());
}

TEST(Sha256, DigestFileReadsOnceForBothHashes) {
  ScratchDir dir;
  const std::string bytes(3 << 20, 'x');
  dir.write("f", bytes);
  auto d = digest_file(dir.file("f"), true);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->hash, hash_bytes(bytes));
  EXPECT_EQ(*d->sha256, sha256_bytes(bytes));
  EXPECT_EQ(d->size, bytes.size());
  EXPECT_FALSE(digest_file(dir.file("f"), false)->sha256.has_value());
}

}  // namespace
}  // namespace relais
