// Compressor: one function per content coding, settings every browser decodes.
//
// Each call owns its library context through a unique_ptr with the library's
// free function, so an early return cannot leak it. Settings are chosen for
// publish-once, serve-millions: maximum ratio, decoder limits respected.
//   br:   quality 11, lgwin 24 (the largest *standard* window; large-window
//         brotli is a separate format browsers refuse)
//   zstd: level 19, long-distance matching, windowLog capped at 23 (8 MiB):
//         RFC 8878 §3.1.1.1.2 lets decoders refuse larger windows and Chrome
//         and Firefox do refuse them for Content-Encoding: zstd
//   gzip: zlib level 9, gzip wrapper (RFC 1952), 32 KiB window
// Inputs are in memory; the caller bounds their size (kMaxCompressedInputBytes).
#pragma once

#include <string>
#include <string_view>

#include "origin-sync/encoding.h"
#include "origin-sync/result.h"

namespace relais {

inline constexpr int kBrotliQuality = 11;
inline constexpr int kBrotliWindowLog = 24;
inline constexpr int kZstdLevel = 19;
inline constexpr int kZstdWindowLog = 23;
inline constexpr int kGzipLevel = 9;

// One quality per coding; the defaults are the publisher's (above).
struct CompressionLevels {
  int brotli = kBrotliQuality;
  int zstd = kZstdLevel;
  int gzip = kGzipLevel;
};

Result<std::string> compress_brotli(std::string_view input, int quality = kBrotliQuality);
Result<std::string> compress_zstd(std::string_view input, int level = kZstdLevel);
Result<std::string> compress_gzip(std::string_view input, int level = kGzipLevel);

// Dispatches on e; e must not be Encoding::identity.
Result<std::string> compress(Encoding e, std::string_view input, const CompressionLevels& levels = {});

}  // namespace relais
