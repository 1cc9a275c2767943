// Dictionary deltas: the `dcz` content coding of RFC 9842 §4 (Compression
// Dictionary Transport), made at publish time.
//
// A dcz body is a 40-byte header (an 8-byte magic, then the SHA-256 of the
// dictionary) followed by one zstd frame compressed with the dictionary as a
// raw-content prefix (ZSTD_CCtx_refPrefix: no dictionary ID, no entropy
// tables, the whole previous version is the window's history). A client
// decodes it only with a dictionary whose SHA-256 matches, so the edge can
// serve the blob as is, like any other variant.
//
// Bounds: RFC 9842 §5.2 lets a client refuse a window larger than 8 MiB or
// 1.25 times the dictionary, whichever is larger (at most 128 MiB). Deltas
// are made only when the new version and the dictionary are both at most
// kDeltaMaxBytes, so the 8 MiB window always covers them (course pages,
// scripts and stylesheets are far smaller).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "origin-sync/result.h"
#include "origin-sync/sha256.h"

namespace relais {

// SHA-256 of a dictionary's bytes: what a client names in Available-Dictionary.
// The same digest as a signed manifest's (sha256.h), one implementation.
using DictionaryHash = Sha256;

inline DictionaryHash dictionary_hash(std::string_view bytes) { return sha256_bytes(bytes); }

// "dcz": the Content-Encoding token of a dictionary delta.
inline constexpr std::string_view kDictionaryDeltaEncoding = "dcz";
// RFC 9842 §4.2: a zstd skippable frame (magic 0x184D2A5E, little-endian,
// length 32) holding the dictionary's SHA-256.
inline constexpr std::array<std::uint8_t, 8> kDczMagic = {0x5e, 0x2a, 0x4d, 0x18, 0x20, 0x00, 0x00, 0x00};
inline constexpr std::size_t kDczHeaderBytes = kDczMagic.size() + 32;
// The largest version or dictionary a delta is made for (see above).
inline constexpr std::size_t kDeltaMaxBytes = std::size_t{8} << 20;

// The dcz body of `content` against `dictionary`: header, then a zstd frame
// (level `level`, window 8 MiB at most). Internal error if zstd fails.
// The caller checks both sizes against kDeltaMaxBytes.
Result<std::string> make_dictionary_delta(std::string_view content, std::string_view dictionary,
                                          const DictionaryHash& dictionary_sha256, int level);

// Decodes a dcz body with `dictionary` (tests and `relais-sync verify`):
// checks the header names the dictionary, then decompresses. Origin error
// if the header or the frame is wrong; output bounded by max_bytes.
Result<std::string> apply_dictionary_delta(std::string_view delta, std::string_view dictionary, std::size_t max_bytes);

}  // namespace relais
