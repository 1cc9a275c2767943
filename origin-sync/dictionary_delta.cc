#include "origin-sync/dictionary_delta.h"

#include <zstd.h>

#include <algorithm>
#include <memory>

namespace relais {
namespace {

struct ZstdCFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct ZstdDFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// 2^23 = 8 MiB: the window every RFC 9842 client must accept.
constexpr int kDeltaWindowLog = 23;

Error zstd_error(std::size_t rc) { return Error::internal(std::string("zstd delta: ") + ZSTD_getErrorName(rc)); }

}  // namespace

Result<std::string> make_dictionary_delta(std::string_view content, std::string_view dictionary,
                                          const DictionaryHash& dictionary_sha256, int level) {
  std::unique_ptr<ZSTD_CCtx, ZstdCFree> cctx(ZSTD_createCCtx());
  if (!cctx) return Error::internal("zstd delta: out of memory");
  for (auto [param, value] : {std::pair{ZSTD_c_compressionLevel, level},
                              {ZSTD_c_windowLog, kDeltaWindowLog},
                              {ZSTD_c_checksumFlag, 0}}) {
    const std::size_t rc = ZSTD_CCtx_setParameter(cctx.get(), param, value);
    if (ZSTD_isError(rc)) return zstd_error(rc);
  }
  // RFC 9842 §4.2 / RFC 8878 §5: the dictionary is raw content, referenced
  // as a prefix (no dictionary ID in the frame).
  if (const std::size_t rc = ZSTD_CCtx_refPrefix(cctx.get(), dictionary.data(), dictionary.size()); ZSTD_isError(rc))
    return zstd_error(rc);
  std::string out(kDczHeaderBytes + ZSTD_compressBound(content.size()), '\0');
  std::copy(kDczMagic.begin(), kDczMagic.end(), out.begin());
  std::copy(dictionary_sha256.bytes.begin(), dictionary_sha256.bytes.end(), out.begin() + kDczMagic.size());
  const std::size_t n = ZSTD_compress2(cctx.get(), out.data() + kDczHeaderBytes, out.size() - kDczHeaderBytes,
                                       content.data(), content.size());
  if (ZSTD_isError(n)) return zstd_error(n);
  out.resize(kDczHeaderBytes + n);
  return out;
}

Result<std::string> apply_dictionary_delta(std::string_view delta, std::string_view dictionary, std::size_t max_bytes) {
  const auto fail = [](const std::string& m) { return Error::origin("dcz: " + m, /*retry=*/false); };
  if (delta.size() < kDczHeaderBytes || !std::equal(kDczMagic.begin(), kDczMagic.end(), delta.begin(),
                                                    [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); }))
    return fail("no dcz header");
  const DictionaryHash wanted = dictionary_hash(dictionary);
  if (!std::equal(wanted.bytes.begin(), wanted.bytes.end(), delta.begin() + kDczMagic.size(),
                  [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); }))
    return fail("the header names another dictionary");
  std::unique_ptr<ZSTD_DCtx, ZstdDFree> dctx(ZSTD_createDCtx());
  if (!dctx) return Error::internal("zstd delta: out of memory");
  if (const std::size_t rc = ZSTD_DCtx_refPrefix(dctx.get(), dictionary.data(), dictionary.size()); ZSTD_isError(rc))
    return zstd_error(rc);
  const std::string_view frame = delta.substr(kDczHeaderBytes);
  const unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN || declared > max_bytes)
    return fail("frame size unknown or over the limit");
  std::string out(static_cast<std::size_t>(declared), '\0');
  const std::size_t n = ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(n) || n != out.size()) return fail("corrupt frame");
  return out;
}

}  // namespace relais
