// Variant selection: which precompressed variants of a file are worth keeping.
//
// A variant costs a blob on the origin, a manifest field, a file in every
// edge's disk tier and a Vary: Accept-Encoding negotiation; it is kept only
// when it saves enough to pay for that (see the constants). Text-like types
// are always tried; unknown binaries and PDFs are tried only when a cheap
// zstd probe on a sample shows they shrink; media that is already compressed
// (JPEG, MP4, WOFF2, ...) is never tried.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "origin-sync/compressor.h"
#include "origin-sync/content_type.h"
#include "origin-sync/encoding.h"
#include "origin-sync/result.h"

namespace relais {

// A variant is kept only if it is at least this many bytes smaller...
// (below that, the Content-Encoding/Vary headers and a phone's decode time
// eat the saving: one TCP segment carries ~1400 bytes either way)
inline constexpr std::uint64_t kMinVariantSavingBytes = 64;
// ...and at least this percentage smaller: below 5 %, a separate blob on
// every edge for a saving a client hardly notices is not worth its disk and
// memory-tier space.
inline constexpr std::uint64_t kMinVariantSavingPercent = 5;
// Files larger than this are published as identity only: brotli at quality
// 11 runs at ~1 MB/s, and a 64 MiB text file is already far beyond a lesson
// page; large files are videos and archives that do not compress anyway.
inline constexpr std::size_t kMaxCompressedInputBytes = 64u << 20;
// The "probe" class is sampled with fast zstd on this many leading bytes.
inline constexpr std::size_t kProbeSampleBytes = 1u << 20;
inline constexpr int kProbeZstdLevel = 3;

bool variant_worth_keeping(std::uint64_t identity_size, std::uint64_t variant_size);

// Whether build_variants() should run at all for this content.
bool should_try_variants(Compressibility compressibility, std::string_view content);

struct EncodedVariant {
  Encoding encoding = Encoding::br;
  std::string bytes;
};

// br, zstd, gzip of content, each kept only if variant_worth_keeping().
// Returns an empty list when should_try_variants() is false.
Result<std::vector<EncodedVariant>> build_variants(std::string_view content, Compressibility compressibility,
                                                   const CompressionLevels& levels = {});

}  // namespace relais
