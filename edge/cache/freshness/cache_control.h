// Cache directives (RFC 9111 §5.2) from Cache-Control, and from a targeted
// field such as CDN-Cache-Control (RFC 9213), which is a Structured Field
// Dictionary (RFC 8941) instead of the looser §5.2 list syntax.
//
// What a malformed value does, in one place:
//  - an element that is not `token [ "=" ( token / quoted-string ) ]` is skipped;
//  - max-age / s-maxage that is not delta-seconds ("abc", "-1", "1.5", empty), or
//    that appears twice with different values, sets freshness_invalid: the
//    response is stale (§4.2.1: "consider responses that have invalid freshness
//    information ... to be stale"; for duplicates the RFC allows "stale");
//  - a delta-seconds too large to represent is 2^31 (§1.2.2);
//  - an unknown directive is ignored (§5.2.3);
//  - in a targeted field, any syntax error discards the whole field (RFC 9213 §2.2:
//    the cache then behaves as if it were absent).
// Request directives are parsed by the same function; which of them the edge
// honours is decided in reuse.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relais::freshness {

// RFC 9111 §1.2.2: the value a cache uses for a delta-seconds it cannot represent.
inline constexpr std::int64_t kDeltaSecondsCap = 2147483648;  // 2^31

struct CacheDirectives {
  std::optional<std::int64_t> max_age;
  std::optional<std::int64_t> s_maxage;
  std::optional<std::int64_t> stale_while_revalidate;  // RFC 5861 §3
  std::optional<std::int64_t> stale_if_error;          // RFC 5861 §4
  std::optional<std::int64_t> min_fresh;               // request only (§5.2.1.3)
  std::optional<std::int64_t> max_stale;               // request only (§5.2.1.2)
  bool max_stale_any = false;                          // "max-stale" without a value
  bool no_store = false;
  bool no_cache = false;                // unqualified: every reuse is validated
  std::vector<std::string> no_cache_fields;  // qualified (§5.2.2.4), lower-case
  bool private_ = false;                // unqualified: a shared cache never stores
  std::vector<std::string> private_fields;   // qualified (§5.2.2.7), lower-case
  bool public_ = false;
  bool must_revalidate = false;
  bool proxy_revalidate = false;
  bool must_understand = false;
  bool only_if_cached = false;
  bool no_transform = false;
  bool immutable = false;               // RFC 8246: noted, changes nothing for a shared cache
  // max-age / s-maxage present but invalid or duplicated with different values:
  // that directive makes the response stale (see above).
  bool max_age_invalid = false;
  bool s_maxage_invalid = false;
  bool any = false;                     // at least one directive was recognised
};

// Combines any number of Cache-Control field lines (call once per line, in
// order, on the same object: a directive repeated across lines is a duplicate).
void parse_cache_control(std::string_view value, CacheDirectives& out);

// A targeted field (RFC 9213). false (and out untouched) if the field is empty
// or is not a valid Structured Field Dictionary: the caller then falls back to
// Cache-Control and Expires. Several lines are joined with ", " by the caller.
bool parse_targeted_cache_control(std::string_view value, CacheDirectives& out);

// RFC 9110 §5.6.6 quoted-string unescaping and §5.6.2 token test, shared by the
// parsers of this folder.
bool is_token(std::string_view s);

}  // namespace relais::freshness
