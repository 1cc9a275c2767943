// The Cache-Status field (RFC 9211): one list member for our cache, with the
// parameters an operator and a conformance suite read: hit, or fwd with its
// reason; fwd-status; ttl; stored; collapsed; detail. Formatted into a
// caller's buffer, no allocation, so the hit path can afford it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace relais::freshness {

enum class Forward : unsigned char {
  none,        // not forwarded: a hit (§2.1)
  uri_miss,    // nothing stored for the URI (§2.2)
  vary_miss,   // stored, but no variant matched Vary
  miss,        // not stored, reason unspecified
  request,     // the request's directives forced the forward
  stale,       // stored but stale: forwarded to revalidate
  bypass,      // configured not to use the cache for this request
  method,      // the request method's semantics forced the forward (a pass: POST, PUT, ...)
};

struct CacheStatus {
  std::string_view cache = "relais";       // a token is written bare, anything else as a string
  Forward fwd = Forward::none;
  std::optional<int> fwd_status;           // the status the origin answered (§2.3)
  std::optional<std::int64_t> ttl;         // negative when served stale (§2.4)
  bool stored = false;                     // the forwarded response was stored (§2.5)
  bool collapsed = false;                  // joined another request's fetch (§2.6)
  std::string_view detail;                 // token, e.g. "stale-if-error" (§2.8)
};

inline constexpr std::size_t kMaxCacheStatusBytes = 256;

// Writes the field value into out and returns its length. cache and detail
// are our own constants, at most 32 bytes each (asserted): then no value
// can exceed kMaxCacheStatusBytes.
std::size_t format_cache_status(const CacheStatus& status, char (&out)[kMaxCacheStatusBytes]);

}  // namespace relais::freshness
