#include "origin-sync/variant_selection.h"

#include <brotli/decode.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <memory>
#include <random>

#include "origin-sync/compressor.h"

namespace relais {
namespace {

std::string unbrotli(const std::string& in) {
  std::string out(1 << 22, '\0');
  std::size_t size = out.size();
  if (BrotliDecoderDecompress(in.size(), reinterpret_cast<const std::uint8_t*>(in.data()), &size,
                              reinterpret_cast<std::uint8_t*>(out.data())) != BROTLI_DECODER_RESULT_SUCCESS)
    return "<brotli error>";
  out.resize(size);
  return out;
}

std::string unzstd(const std::string& in) {
  std::string out(1 << 22, '\0');
  const std::size_t n = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(n)) return "<zstd error>";
  out.resize(n);
  return out;
}

std::string gunzip(const std::string& in) {
  z_stream z{};
  if (inflateInit2(&z, 16 + 15) != Z_OK) return "<zlib error>";  // 16: gzip wrapper only
  std::string out(1 << 22, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  inflateEnd(&z);
  return rc == Z_STREAM_END ? out : "<zlib error>";
}

std::string decode(Encoding e, const std::string& bytes) {
  switch (e) {
    case Encoding::br: return unbrotli(bytes);
    case Encoding::zstd: return unzstd(bytes);
    case Encoding::gzip: return gunzip(bytes);
    case Encoding::identity: break;
  }
  return bytes;
}

std::string lesson_html() {
  std::string s = "<!doctype html><html><head><title>Fractions</title></head><body>\n";
  for (int i = 0; i < 400; ++i) s += "<p>Exercice " + std::to_string(i) + " : simplifier " + std::to_string(i * 7) + "/" +
                                    std::to_string(i * 21 + 7) + ".</p>\n";
  return s + "</body></html>\n";
}

std::string random_bytes(std::size_t n) {
  std::mt19937_64 rng(42);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

TEST(VariantSelection, TextGetsAllThreeVariantsThatDecompressToTheSource) {
  const std::string html = lesson_html();
  auto variants = build_variants(html, Compressibility::always);
  ASSERT_TRUE(variants.ok());
  ASSERT_EQ(variants->size(), 3u);
  for (const auto& v : *variants) {
    EXPECT_LT(v.bytes.size(), html.size() / 4) << encoding_name(v.encoding);
    EXPECT_EQ(decode(v.encoding, v.bytes), html) << encoding_name(v.encoding);
  }
}

TEST(VariantSelection, IncompressibleDataGetsNoVariant) {
  const std::string noise = random_bytes(100'000);
  for (auto c : {Compressibility::always, Compressibility::probe, Compressibility::never}) {
    auto variants = build_variants(noise, c);
    ASSERT_TRUE(variants.ok());
    EXPECT_TRUE(variants->empty());
  }
}

TEST(VariantSelection, AlreadyCompressedTypesAreNeverTriedEvenIfTheyWouldShrink) {
  EXPECT_FALSE(should_try_variants(Compressibility::never, lesson_html()));
  auto variants = build_variants(lesson_html(), Compressibility::never);
  ASSERT_TRUE(variants.ok());
  EXPECT_TRUE(variants->empty());
}

TEST(VariantSelection, ProbeClassIsCompressedOnlyWhenItHelps) {
  EXPECT_TRUE(should_try_variants(Compressibility::probe, "%PDF-1.4\n" + lesson_html()));
  EXPECT_FALSE(should_try_variants(Compressibility::probe, "%PDF-1.4\n" + random_bytes(50'000)));
}

TEST(VariantSelection, TinyFilesAreNotCompressed) {
  EXPECT_FALSE(should_try_variants(Compressibility::always, std::string(kMinVariantSavingBytes, 'a')));
  auto variants = build_variants("hello", Compressibility::always);
  ASSERT_TRUE(variants.ok());
  EXPECT_TRUE(variants->empty());
}

TEST(VariantSelection, MarginNeedsBothBytesAndPercent) {
  EXPECT_TRUE(variant_worth_keeping(1000, 900));    // 100 bytes, 10 %
  EXPECT_FALSE(variant_worth_keeping(1000, 950));   // 50 bytes: under 64
  EXPECT_TRUE(variant_worth_keeping(1000, 936));    // exactly 64 bytes, 6.4 %
  EXPECT_FALSE(variant_worth_keeping(10000, 9600)); // 400 bytes but 4 %
  EXPECT_TRUE(variant_worth_keeping(10000, 9500));  // exactly 5 %
  EXPECT_FALSE(variant_worth_keeping(100, 100));
  EXPECT_FALSE(variant_worth_keeping(100, 200));
  EXPECT_FALSE(variant_worth_keeping(0, 0));
}

TEST(Compressor, ZstdFrameDecodesWithTheBrowsersEightMegabyteWindowLimit) {
  // 12 MiB of text: long mode would pick a window above 8 MiB if windowLog
  // were not capped. Level 1 keeps the test fast; the cap does not depend on it.
  std::string big;
  while (big.size() < (12u << 20)) big += lesson_html() + std::to_string(big.size());
  auto z = compress_zstd(big, 1);
  ASSERT_TRUE(z.ok());
  // Decode as Chrome and Firefox do: windowLogMax 23 (8 MiB); a larger
  // window makes this decoder fail with "Frame requires too much memory".
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> dctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  ASSERT_FALSE(ZSTD_isError(ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, 23)));
  std::string out(big.size(), '\0');
  ZSTD_inBuffer in{z->data(), z->size(), 0};
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  const std::size_t rc = ZSTD_decompressStream(dctx.get(), &o, &in);
  ASSERT_FALSE(ZSTD_isError(rc)) << ZSTD_getErrorName(rc);
  EXPECT_EQ(o.pos, big.size());
  EXPECT_TRUE(out == big);
}

TEST(Compressor, GzipOutputHasTheGzipMagic) {
  auto g = compress_gzip(lesson_html());
  ASSERT_TRUE(g.ok());
  ASSERT_GE(g->size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>((*g)[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>((*g)[1]), 0x8b);
}

// The edge compresses at faster levels than the publisher (pull
// compression): each level is the one asked for, and every output decodes.
TEST(Compressor, LevelsAreTheOnesAskedForAndEveryOutputDecodes) {
  std::string text;
  for (int i = 0; text.size() < 256 * 1024; ++i) text += "<p>Exercice " + std::to_string(i * 7919 % 10007) + " : partager.</p>\n";
  const CompressionLevels fast{1, 1, 1};
  for (Encoding e : {Encoding::br, Encoding::zstd, Encoding::gzip}) {
    auto best = compress(e, text);
    auto quick = compress(e, text, fast);
    ASSERT_TRUE(best.ok() && quick.ok()) << encoding_name(e);
    EXPECT_NE(*best, *quick) << encoding_name(e);
    EXPECT_EQ(decode(e, *quick), text) << encoding_name(e);
  }
}

TEST(Compressor, EmptyInputRoundTrips) {
  for (Encoding e : {Encoding::br, Encoding::zstd, Encoding::gzip}) {
    auto bytes = compress(e, "");
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(decode(e, *bytes), "") << encoding_name(e);
  }
}

}  // namespace
}  // namespace relais
