#include "origin-sync/dictionary_delta.h"

#include <gtest/gtest.h>

#include <string>

namespace relais {
namespace {

std::string lesson(const std::string& paragraph) {
  std::string page = "<!doctype html><title>Les fractions</title>\n";
  for (int i = 0; i < 40; ++i) page += "<p>Une fraction represente une partie d'un tout, exemple " + std::to_string(i) + ".</p>\n";
  return page + "<p>" + paragraph + "</p>\n";
}

TEST(DictionaryDelta, Sha256OfKnownInputs) {
  // FIPS 180-2 test vector "abc".
  EXPECT_EQ(dictionary_hash("abc").hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DictionaryDelta, HexRoundTripsAndRejectsOtherSpellings) {
  const DictionaryHash h = dictionary_hash("v1");
  EXPECT_EQ(DictionaryHash::from_hex(h.hex()), h);
  std::string upper = h.hex();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(DictionaryHash::from_hex(upper).has_value());
  EXPECT_FALSE(DictionaryHash::from_hex(h.hex().substr(1)).has_value());
  EXPECT_FALSE(DictionaryHash::from_hex(h.hex() + "0").has_value());
}

TEST(DictionaryDelta, StartsWithTheRfcHeaderAndDecodesWithTheDictionary) {
  const std::string v1 = lesson("Premiere version.");
  const std::string v2 = lesson("Deuxieme version, corrigee.");
  const DictionaryHash sha = dictionary_hash(v1);
  auto delta = make_dictionary_delta(v2, v1, sha, 19);
  ASSERT_TRUE(delta.ok()) << delta.error().message;
  ASSERT_GT(delta->size(), kDczHeaderBytes);
  // RFC 9842 §4.2: 5e 2a 4d 18 20 00 00 00, then the SHA-256.
  EXPECT_EQ(delta->substr(0, 8), std::string("\x5e\x2a\x4d\x18\x20\x00\x00\x00", 8));
  EXPECT_EQ(delta->substr(8, 32), std::string(reinterpret_cast<const char*>(sha.bytes.data()), 32));
  // Against the previous version it is far smaller than v2 alone.
  EXPECT_LT(delta->size(), v2.size() / 5);
  auto decoded = apply_dictionary_delta(*delta, v1, 1 << 20);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, v2);
}

TEST(DictionaryDelta, RefusesAnotherDictionaryOrADamagedHeader) {
  const std::string v1 = lesson("a");
  const std::string v2 = lesson("b");
  auto delta = make_dictionary_delta(v2, v1, dictionary_hash(v1), 19);
  ASSERT_TRUE(delta.ok());
  EXPECT_FALSE(apply_dictionary_delta(*delta, lesson("c"), 1 << 20).ok());
  std::string damaged = *delta;
  damaged[0] = 0;
  EXPECT_FALSE(apply_dictionary_delta(damaged, v1, 1 << 20).ok());
  EXPECT_FALSE(apply_dictionary_delta(delta->substr(0, 20), v1, 1 << 20).ok());
  EXPECT_FALSE(apply_dictionary_delta(*delta, v1, 16).ok());  // over the output bound
}

}  // namespace
}  // namespace relais
