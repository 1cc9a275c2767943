// What a cache needs to know about a response, read once from its fields when
// it arrives (RFC 9111 §3, §4.2, §4.1): the effective cache directives, the
// dates, Age, the validators, Vary, and whether it sets a cookie. Everything
// later (storability, freshness, reuse, validation) works on these facts, so
// the field list is parsed once per response, not once per hit.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "edge/cache/freshness/cache_control.h"

namespace relais::freshness {

// One field line as received (name in any case).
struct FieldView {
  std::string_view name;
  std::string_view value;
};
using Fields = std::span<const FieldView>;

struct ResponseFacts {
  int status = 0;
  // The directives in force: a valid CDN-Cache-Control's when there is one
  // (RFC 9213 §2.1: then Cache-Control and Expires are ignored), else Cache-Control's.
  CacheDirectives directives;
  bool targeted = false;                    // directives came from CDN-Cache-Control
  std::optional<std::int64_t> date;         // absent or invalid: nullopt
  // Expires (§5.3): absent -> !expires_present. An invalid date (e.g. "0") or
  // two Expires lines -> expires_present with expires = a time in the past.
  bool expires_present = false;
  std::int64_t expires = 0;
  std::int64_t age = 0;                     // §5.1: absent or invalid -> 0
  std::optional<std::int64_t> last_modified;
  std::string last_modified_text;           // as sent, for If-Modified-Since
  std::string etag;                         // as sent ("\"x\"" or "W/\"x\""), empty if none or malformed
  std::string vary;                         // combined Vary lines, as sent
  bool set_cookie = false;
  std::optional<std::int64_t> content_length;
};

// now resolves two-digit RFC 850 years only (parse_http_date). targeted_field
// names the targeted field we obey ("CDN-Cache-Control"; empty: none).
ResponseFacts read_response_facts(int status, Fields fields, std::int64_t now,
                                  std::string_view targeted_field = "CDN-Cache-Control");

// The value of every line of one field, joined with ", " (RFC 9110 §5.3);
// empty if absent. present is set when at least one line exists.
std::string combined_field(Fields fields, std::string_view name, bool* present = nullptr);

}  // namespace relais::freshness
