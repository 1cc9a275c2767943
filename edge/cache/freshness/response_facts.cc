#include "edge/cache/freshness/response_facts.h"

#include "edge/cache/freshness/field_list.h"
#include "edge/http/ascii_case.h"
#include "edge/http/http_date.h"
#include "edge/http/preconditions.h"
#include "edge/http/whitespace.h"

namespace relais::freshness {
namespace {

using http::equals_ignore_case;

// A field that must appear once (Date, Last-Modified): the first valid line
// counts; nullopt if the first line does not parse.
std::optional<std::int64_t> single_date(Fields fields, std::string_view name, std::int64_t now,
                                        std::string* text = nullptr) {
  for (const FieldView& f : fields) {
    if (!equals_ignore_case(f.name, name)) continue;
    const std::string_view v = http::trim_ows(f.value);
    if (text) *text = std::string(v);
    return http::parse_http_date(v, now);
  }
  return std::nullopt;
}

// §5.1 Age: delta-seconds. A list ("10, 20") or repeated lines: the first
// element counts; an invalid first value makes the field ignored.
std::int64_t read_age(Fields fields) {
  for (const FieldView& f : fields) {
    if (!equals_ignore_case(f.name, "age")) continue;
    std::string_view v = f.value;
    const std::size_t comma = v.find(',');
    if (comma != std::string_view::npos) v = v.substr(0, comma);
    v = http::trim_ows(v);
    if (v.empty()) return 0;
    std::int64_t age = 0;
    for (char c : v) {
      if (c < '0' || c > '9') return 0;
      if (age < kDeltaSecondsCap) age = age * 10 + (c - '0');
    }
    return age < kDeltaSecondsCap ? age : kDeltaSecondsCap;
  }
  return 0;
}

bool valid_etag(std::string_view tag) {
  // A tag compares equal to itself only when it is well formed (§8.8.3).
  return http::etag_weak_match(tag, tag);
}

}  // namespace

std::string combined_field(Fields fields, std::string_view name, bool* present) {
  std::string out;
  bool seen = false;
  for (const FieldView& f : fields) {
    if (!equals_ignore_case(f.name, name)) continue;
    if (seen) out += ", ";
    out += http::trim_ows(f.value);
    seen = true;
  }
  if (present) *present = seen;
  return out;
}

ResponseFacts read_response_facts(int status, Fields fields, std::int64_t now, std::string_view targeted_field) {
  ResponseFacts r;
  r.status = status;
  bool targeted_present = false;
  const std::string targeted = targeted_field.empty() ? std::string() : combined_field(fields, targeted_field, &targeted_present);
  if (targeted_present && parse_targeted_cache_control(targeted, r.directives)) {
    r.targeted = true;
  } else {
    for (const FieldView& f : fields) {
      if (equals_ignore_case(f.name, "cache-control")) parse_cache_control(f.value, r.directives);
    }
  }
  r.date = single_date(fields, "date", now);
  int expires_lines = 0;
  for (const FieldView& f : fields) {
    if (!equals_ignore_case(f.name, "expires")) continue;
    ++expires_lines;
    const std::optional<std::int64_t> t = http::parse_http_date(http::trim_ows(f.value), now);
    // §5.3: an invalid date, especially "0", is a time in the past; §4.2.1:
    // two Expires lines -> "considered stale".
    r.expires = (t && expires_lines == 1) ? *t : INT64_MIN / 2;
  }
  // RFC 9213 §2.1: a cache obeying a targeted field ignores Expires.
  r.expires_present = expires_lines > 0 && !r.targeted;
  r.age = read_age(fields);
  r.last_modified = single_date(fields, "last-modified", now, &r.last_modified_text);
  for (const FieldView& f : fields) {
    if (!equals_ignore_case(f.name, "etag")) continue;
    const std::string_view tag = http::trim_ows(f.value);
    if (valid_etag(tag)) r.etag = std::string(tag);
    break;
  }
  r.vary = combined_field(fields, "vary");
  for (const FieldView& f : fields) {
    if (equals_ignore_case(f.name, "set-cookie")) r.set_cookie = true;
    if (equals_ignore_case(f.name, "content-length") && !r.content_length) {
      const std::string_view v = http::trim_ows(f.value);
      std::int64_t n = 0;
      bool ok = !v.empty() && v.size() <= 18;
      for (char c : v) {
        if (c < '0' || c > '9') ok = false;
        else n = n * 10 + (c - '0');
      }
      if (ok) r.content_length = n;
    }
  }
  return r;
}

}  // namespace relais::freshness
