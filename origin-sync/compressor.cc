#include "origin-sync/compressor.h"

#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdint>
#include <memory>

namespace relais {
namespace {

struct BrotliFree {
  void operator()(BrotliEncoderState* s) const { BrotliEncoderDestroyInstance(s); }
};
struct ZstdFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DeflateEnd {
  void operator()(z_stream* z) const {
    deflateEnd(z);
    delete z;
  }
};

}  // namespace

Result<std::string> compress_brotli(std::string_view input, int quality) {
  std::unique_ptr<BrotliEncoderState, BrotliFree> state(BrotliEncoderCreateInstance(nullptr, nullptr, nullptr));
  if (!state) return Error::internal("brotli: out of memory");
  BrotliEncoderSetParameter(state.get(), BROTLI_PARAM_QUALITY, static_cast<std::uint32_t>(quality));
  BrotliEncoderSetParameter(state.get(), BROTLI_PARAM_LGWIN, kBrotliWindowLog);
  BrotliEncoderSetParameter(state.get(), BROTLI_PARAM_LARGE_WINDOW, BROTLI_FALSE);
  // The size hint lets the encoder pick block sizes for the whole input.
  BrotliEncoderSetParameter(state.get(), BROTLI_PARAM_SIZE_HINT,
                            static_cast<std::uint32_t>(std::min<std::size_t>(input.size(), 1u << 30)));
  std::string out(BrotliEncoderMaxCompressedSize(input.size()) + 64, '\0');
  std::size_t avail_in = input.size();
  const auto* next_in = reinterpret_cast<const std::uint8_t*>(input.data());
  std::size_t avail_out = out.size();
  auto* next_out = reinterpret_cast<std::uint8_t*>(out.data());
  while (!BrotliEncoderIsFinished(state.get())) {
    if (avail_out == 0) {
      const std::size_t used = out.size();
      out.resize(out.size() * 2);
      next_out = reinterpret_cast<std::uint8_t*>(out.data()) + used;
      avail_out = out.size() - used;
    }
    if (!BrotliEncoderCompressStream(state.get(), BROTLI_OPERATION_FINISH, &avail_in, &next_in, &avail_out,
                                     &next_out, nullptr))
      return Error::internal("brotli: compression failed");
  }
  out.resize(out.size() - avail_out);
  return out;
}

Result<std::string> compress_zstd(std::string_view input, int level) {
  std::unique_ptr<ZSTD_CCtx, ZstdFree> cctx(ZSTD_createCCtx());
  if (!cctx) return Error::internal("zstd: out of memory");
  // Long mode raises the default window to 128 MiB; the explicit windowLog
  // set after it keeps the frame decodable by browsers (8 MiB limit).
  for (auto [param, value] : {std::pair{ZSTD_c_compressionLevel, level},
                              {ZSTD_c_enableLongDistanceMatching, 1},
                              {ZSTD_c_windowLog, kZstdWindowLog},
                              {ZSTD_c_checksumFlag, 0}}) {
    const std::size_t rc = ZSTD_CCtx_setParameter(cctx.get(), param, value);
    if (ZSTD_isError(rc)) return Error::internal(std::string("zstd: ") + ZSTD_getErrorName(rc));
  }
  std::string out(ZSTD_compressBound(input.size()), '\0');
  const std::size_t n = ZSTD_compress2(cctx.get(), out.data(), out.size(), input.data(), input.size());
  if (ZSTD_isError(n)) return Error::internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<std::string> compress_gzip(std::string_view input, int level) {
  std::unique_ptr<z_stream, DeflateEnd> z;
  {
    auto fresh = std::make_unique<z_stream>();
    // windowBits 15 + 16: the gzip wrapper (RFC 1952) that Content-Encoding:
    // gzip means, not the zlib wrapper of deflateInit().
    if (deflateInit2(fresh.get(), level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
      return Error::internal("zlib: deflateInit2 failed");
    z.reset(fresh.release());
  }
  std::string out(deflateBound(z.get(), static_cast<uLong>(input.size())) + 64, '\0');
  z->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  z->next_out = reinterpret_cast<Bytef*>(out.data());
  std::size_t in_left = input.size();
  std::size_t out_used = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    // avail_in/avail_out are 32-bit: feed at most 1 GiB per call.
    const uInt in_chunk = static_cast<uInt>(std::min<std::size_t>(in_left, 1u << 30));
    if (out_used == out.size()) out.resize(out.size() * 2);
    const uInt out_chunk = static_cast<uInt>(std::min<std::size_t>(out.size() - out_used, 1u << 30));
    z->avail_in = in_chunk;
    z->next_out = reinterpret_cast<Bytef*>(out.data() + out_used);
    z->avail_out = out_chunk;
    rc = deflate(z.get(), in_chunk == in_left ? Z_FINISH : Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) return Error::internal("zlib: deflate failed");
    in_left -= in_chunk - z->avail_in;
    out_used += out_chunk - z->avail_out;
  }
  out.resize(out_used);
  return out;
}

Result<std::string> compress(Encoding e, std::string_view input, const CompressionLevels& levels) {
  RELAIS_ASSERT(e != Encoding::identity);
  switch (e) {
    case Encoding::br: return compress_brotli(input, levels.brotli);
    case Encoding::zstd: return compress_zstd(input, levels.zstd);
    case Encoding::gzip: return compress_gzip(input, levels.gzip);
    case Encoding::identity: break;
  }
  return Error::internal("compress: identity is not a content coding");
}

}  // namespace relais
