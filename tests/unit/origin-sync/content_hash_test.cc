#include "origin-sync/content_hash.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <xxhash.h>

#include <filesystem>
#include <fstream>

#include "origin-sync/blob_path.h"
#include "origin-sync/encoding.h"

namespace relais {
namespace {

// Reference values from the xxHash project's own test vectors (xsum_sanity_check.c):
// XXH3_128bits of the empty input with seed 0.
TEST(ContentHash, EmptyInputMatchesPublishedXxh3Vector) {
  const ContentHash h = hash_bytes(std::string_view());
  EXPECT_EQ(h.high, 0x99AA06D3014798D8ull);
  EXPECT_EQ(h.low, 0x6001C324468D497Full);
  EXPECT_EQ(h.hex(), "99aa06d3014798d86001c324468d497f");
}

TEST(ContentHash, MatchesLibraryForManyLengths) {
  std::string data;
  for (int i = 0; i < 3000; ++i) {
    const XXH128_hash_t ref = XXH3_128bits(data.data(), data.size());
    const ContentHash h = hash_bytes(data);
    ASSERT_EQ(h.high, ref.high64) << "length " << data.size();
    ASSERT_EQ(h.low, ref.low64) << "length " << data.size();
    data += static_cast<char>(i * 31 + 7);
  }
}

TEST(ContentHash, StreamingEqualsOneShotWhateverTheChunking) {
  std::string data(100'000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * i);
  ContentHasher hasher;
  for (std::size_t pos = 0, step = 1; pos < data.size(); pos += step, step = step * 3 % 7919 + 1)
    hasher.update(data.data() + pos, std::min(step, data.size() - pos));
  EXPECT_EQ(hasher.digest(), hash_bytes(data));
  hasher.reset();
  EXPECT_EQ(hasher.digest(), hash_bytes(std::string_view()));
}

TEST(ContentHash, HexRoundTripsAndAcceptsUpperCase) {
  const ContentHash h{0x0123456789abcdefull, 0xfedcba9876543210ull};
  EXPECT_EQ(h.hex(), "0123456789abcdeffedcba9876543210");
  EXPECT_EQ(ContentHash::from_hex(h.hex()), h);
  EXPECT_EQ(ContentHash::from_hex("0123456789ABCDEFFEDCBA9876543210"), h);
}

TEST(ContentHash, FromHexRejectsAnythingButExactly32HexDigits) {
  for (std::string_view bad : {"", "0123456789abcdeffedcba987654321", "0123456789abcdeffedcba98765432100",
                               "0123456789abcdeffedcba987654321g", " 123456789abcdeffedcba9876543210",
                               "0x23456789abcdeffedcba9876543210", "0123456789abcdef-edcba9876543210"}) {
    EXPECT_FALSE(ContentHash::from_hex(bad).has_value()) << bad;
  }
  EXPECT_FALSE(ContentHash::from_hex(std::string_view("0123456789abcdef\0edcba9876543210", 32)).has_value());
}

TEST(ContentHash, HashFileMatchesHashOfBytesAndReportsMissingFile) {
  std::string dir = "/tmp/relais-unit-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/f";
  std::string data(700'000, 'x');
  data[12345] = 'y';
  std::ofstream(path, std::ios::binary) << data;
  auto digest = hash_file(path);
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(digest->size, data.size());
  EXPECT_EQ(digest->hash, hash_bytes(data));
  auto missing = hash_file(dir + "/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("nope"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(BlobPath, FansOutOnTheFirstTwoHexDigits) {
  const ContentHash h{0xab23456789abcdefull, 0xfedcba9876543210ull};
  EXPECT_EQ(blob_relative_path(h), "blobs/ab/ab23456789abcdeffedcba9876543210");
  EXPECT_EQ(blob_path("/srv/out", h), "/srv/out/blobs/ab/ab23456789abcdeffedcba9876543210");
}

TEST(Encoding, NamesRoundTripAndUnknownNamesAreRejected) {
  for (int i = 0; i < kEncodingCount; ++i) {
    const auto e = static_cast<Encoding>(i);
    EXPECT_EQ(encoding_from_name(encoding_name(e)), e);
  }
  EXPECT_FALSE(encoding_from_name("BR").has_value());
  EXPECT_FALSE(encoding_from_name("deflate").has_value());
  EXPECT_FALSE(encoding_from_name("").has_value());
}

}  // namespace
}  // namespace relais
