// Conditional requests (RFC 9110 §13): evaluation order of §13.2.2.
#pragma once

#include <cstdint>
#include <string_view>

#include "edge/http/request.h"

namespace relais::http {

enum class Precondition : unsigned char { proceed, not_modified, failed };

struct Validators {
  std::string_view etag;        // strong, quoted: "\"abc...\""
  std::int64_t last_modified;   // seconds since the epoch
};

// For GET/HEAD of a representation with these validators:
//   If-Match (strong comparison, '*', lists) false -> failed (412);
//   else If-Unmodified-Since (only when If-Match absent) false -> failed;
//   If-None-Match (weak comparison, '*', lists) matches -> not_modified (304);
//   else If-Modified-Since (only when If-None-Match absent) not newer -> not_modified.
// Unparseable dates are ignored, as §13.1.3/§13.1.4 require.
Precondition evaluate_preconditions(const Request& request, const Validators& validators);

// If-Range (§13.1.5): true if the Range may be honoured. An entity-tag must
// match strongly; a date must equal Last-Modified exactly. Absent: true.
bool if_range_allows(std::string_view if_range, const Validators& validators);

}  // namespace relais::http
