// Compression of pulled identity text (issue 19: "when the origin sends
// identity text, compress once and keep the variant"): which stored objects
// get coded variants, and how a hit picks one and says so.
//
// Eligible: a 200 with no content coding (absent or "identity"), a
// compressible Content-Type (origin-sync/content_type.h, the publisher's
// table), no `no-transform` (RFC 9110 §7.7, RFC 9111 §5.2.2.6: a proxy must
// not change the content coding then), no Content-Range, a Vary that does not
// nominate Accept-Encoding (the origin negotiates codings itself: its
// responses are left as sent), a body of kCompressMinBytes..max bytes.
//
// A hit on an object with variants negotiates Accept-Encoding as published
// content does (accept_encoding.h: q-values, the smallest acceptable, 406 when
// identity is refused too); a Range request gets the identity whenever the
// client accepts it (as published content: ranges on identity only). Every
// response of such an object carries `Vary: Accept-Encoding` (merged into the
// origin's Vary); a coded one carries Content-Encoding and an entity-tag of
// its own, the origin's with "-br", "-zstd" or "-gzip" inside the quotes, so a
// conditional or If-Range never mixes representations (RFC 9110 §8.8.3).
// Pure functions: no I/O, no clock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edge/http/request.h"
#include "edge/pull/pulled_table.h"

namespace relais::pull {

// Below this, the Content-Encoding and Vary fields and a phone's decode cost
// more than the few bytes saved (one TCP segment carries ~1400 bytes).
inline constexpr std::uint64_t kCompressMinBytes = 256;

enum class CompressVerdict : unsigned char {
  compress,
  off,                 // max_bytes == 0
  not_ok,              // status other than 200
  already_coded,       // Content-Encoding other than identity, or a Content-Range
  not_compressible,    // Content-Type absent or not text-like
  no_transform,        // Cache-Control (or the targeted field) says no-transform
  varies_on_encoding,  // the origin's Vary nominates Accept-Encoding
  too_small,
  too_large,
};

CompressVerdict compression_verdict(const PulledObject& object, std::uint64_t max_bytes);

// "\"x\"" -> "\"x-br\"", "W/\"x\"" -> "W/\"x-br\""; empty stays empty.
std::string coded_etag(std::string_view etag, Encoding encoding);
// The origin's Vary with Accept-Encoding added ("Accept-Encoding" when none).
std::string vary_with_accept_encoding(std::string_view vary);

// What a hit on object sends.
struct CodingChoice {
  bool acceptable = true;           // false: 406 (identity refused, no acceptable coding)
  const CodedBody* coded = nullptr;  // null: the identity body
};
CodingChoice choose_coding(const PulledObject& object, const http::Request& request);

// The fields of a response from an object with variants, in place: Vary
// merged, and for a coded body Content-Encoding and the coded entity-tag.
// storage holds the values the views point to.
struct CodedFieldValues {
  std::string etag;
  std::string vary;
};
void apply_coding(std::vector<http::HeaderField>& fields, const PulledObject& object, const CodedBody* coded,
                  CodedFieldValues& storage);

}  // namespace relais::pull
