// Conditional requests (RFC 9110 §13): evaluation order of §13.2.2.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

#include "edge/http/request.h"

namespace relais::http {

enum class Precondition : unsigned char { proceed, not_modified, failed };

// No date: a representation without Last-Modified (a pulled response may lack one).
inline constexpr std::int64_t kNoDate = std::numeric_limits<std::int64_t>::min();

struct Validators {
  std::string_view etag;        // quoted: "\"abc...\"" (published: strong; pulled: "W/" too); empty: none
  std::int64_t last_modified;   // seconds since the epoch; kNoDate: none (If-Unmodified-Since is then ignored, §13.1.4)
  // What If-Modified-Since compares with: last_modified for what we publish.
  // A cache answering from a stored response without Last-Modified uses its
  // Date, else the time it was received (RFC 9111 §4.3.2).
  std::int64_t modified_since_reference;
};

// For GET/HEAD of a representation with these validators:
//   If-Match (strong comparison, '*', lists) false -> failed (412);
//   else If-Unmodified-Since (only when If-Match absent) false -> failed;
//   If-None-Match (weak comparison, '*', lists) matches -> not_modified (304);
//   else If-Modified-Since (only when If-None-Match absent) not newer than
//   modified_since_reference -> not_modified.
// Unparseable dates are ignored, as §13.1.3/§13.1.4 require. A malformed
// If-Match list matches nothing (412); a malformed If-None-Match, nothing (200).
// For other methods an If-None-Match match is failed and If-Modified-Since is
// ignored (§13.1.2, §13.1.3).
Precondition evaluate_preconditions(const Request& request, const Validators& validators);

// Entity-tag comparison (§8.8.3.2). Each argument is one entity-tag as sent
// ("\"abc\"" or "W/\"abc\""); a malformed tag never matches.
// Strong: both strong and their opaque-tags equal. Weak: opaque-tags equal.
bool etag_strong_match(std::string_view a, std::string_view b);
bool etag_weak_match(std::string_view a, std::string_view b);

// A field value of If-Match / If-None-Match ("*" or #entity-tag) against our
// current entity-tag. "*" matches (the representation exists); a malformed
// list matches nothing.
bool etag_list_matches(std::string_view list, std::string_view etag, bool weak);

// If-Range (§13.1.5): true if the Range may be honoured. An entity-tag must
// match strongly; a date must equal Last-Modified exactly. Absent: true.
bool if_range_allows(std::string_view if_range, const Validators& validators);

}  // namespace relais::http
