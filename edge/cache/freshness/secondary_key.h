// The secondary cache key (RFC 9111 §4.1): the request fields a stored
// response's Vary nominates, normalised, so that requests that would get the
// same response share one stored variant.
//
// Normalisation (§4.1 allows it; it keeps the number of variants small):
//  - field names are case-insensitive, listed once, in sorted order;
//  - several lines of a field are one list; OWS around commas is dropped;
//  - Accept-Encoding becomes the set of codings we can store that the request
//    accepts (br, zstd, gzip; identity is always implied), so the thousands of
//    browser spellings collapse into at most eight keys;
//  - Accept-Language and Accept are compared case-insensitively;
//  - an absent field differs from an empty one, except for Accept-Encoding,
//    where both mean identity only.
// Bounds: at most kMaxVaryFields nominated fields and kMaxSecondaryKeyBytes of
// key: beyond that the response is not stored (a Vary listing every request
// header would make one variant per client).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "edge/cache/freshness/response_facts.h"

namespace relais::freshness {

inline constexpr std::size_t kMaxVaryFields = 8;
inline constexpr std::size_t kMaxSecondaryKeyBytes = 1024;

// The key for a request under a stored response's Vary value. nullopt when
// the response can never match ("*", §4.1) or the bounds above are exceeded.
// An empty Vary gives "": every request matches.
std::optional<std::string> secondary_key(std::string_view vary, Fields request_fields);

// The Accept-Encoding part of a key: "br,gzip", "" for identity only.
std::string normalised_accept_encoding(Fields request_fields);

}  // namespace relais::freshness
