#include "edge/cache/freshness/validation.h"

#include <algorithm>

#include "edge/cache/freshness/storability.h"
#include "edge/http/ascii_case.h"
#include "edge/http/http_date.h"
#include "edge/http/preconditions.h"
#include "edge/http/whitespace.h"

namespace relais::freshness {
namespace {

bool strong(std::string_view etag) { return !etag.empty() && !etag.starts_with("W/"); }

}  // namespace

ConditionalFields conditional_fields(std::span<const ResponseFacts* const> stored) {
  ConditionalFields out;
  for (const ResponseFacts* r : stored) {
    if (r->etag.empty() || out.if_none_match.find(r->etag) != std::string::npos) continue;
    if (!out.if_none_match.empty()) out.if_none_match += ", ";
    out.if_none_match += r->etag;
  }
  // Only with one stored response: a date is no selector between several.
  if (stored.size() == 1 && stored[0]->last_modified) out.if_modified_since = stored[0]->last_modified_text;
  return out;
}

http::Validators validators_of(const ResponseFacts& response, std::int64_t response_time) {
  const std::int64_t last_modified = response.last_modified.value_or(http::kNoDate);
  return {response.etag, last_modified, response.last_modified.value_or(response.date.value_or(response_time))};
}

http::Precondition client_preconditions(const http::Request& request, int status, const ResponseFacts& response,
                                        std::int64_t response_time) {
  // RFC 9110 §13.2.1: preconditions are ignored when the response without
  // them would not be a 2xx (a 404 stays a 404).
  if (status < 200 || status > 299) return http::Precondition::proceed;
  return http::evaluate_preconditions(request, validators_of(response, response_time));
}

ValidationResult classify_validation_response(int status) {
  if (status == 304) return ValidationResult::freshen;
  // §4.3.3: "a 5xx (Server Error) status code" may be answered with a stale
  // response; RFC 5861 §4 names 500, 502, 503 and 504. Other statuses,
  // 501 and 505 included, are full responses from the origin.
  if (status == 0 || status == 500 || status == 502 || status == 503 || status == 504) {
    return ValidationResult::origin_error;
  }
  return ValidationResult::replace;
}

std::vector<StoredField> fields_to_store(Fields response, std::span<const std::string> strip) {
  std::vector<StoredField> out;
  out.reserve(response.size());
  for (const FieldView& f : response) {
    const bool stripped = std::any_of(strip.begin(), strip.end(), [&](const std::string& s) {
      return http::equals_ignore_case(s, f.name);
    });
    if (!stripped) out.push_back({std::string(f.name), std::string(http::trim_ows(f.value))});
  }
  return out;
}

std::vector<std::size_t> select_for_update(const ResponseFacts& not_modified,
                                           std::span<const ResponseFacts* const> stored) {
  std::vector<std::size_t> out;
  if (strong(not_modified.etag)) {
    for (std::size_t i = 0; i < stored.size(); ++i) {
      if (strong(stored[i]->etag) && http::etag_strong_match(stored[i]->etag, not_modified.etag)) out.push_back(i);
    }
    return out;
  }
  // Second bullet: weak validators (a W/ tag; a Last-Modified, which we do
  // not try to prove strong) that correspond to a stored response.
  if (!not_modified.etag.empty() || not_modified.last_modified) {
    for (std::size_t i = 0; i < stored.size(); ++i) {
      const bool tag = not_modified.etag.empty() || http::etag_weak_match(stored[i]->etag, not_modified.etag);
      const bool date = !not_modified.last_modified || stored[i]->last_modified == not_modified.last_modified;
      if (tag && date) out.push_back(i);
    }
    return out;
  }
  // §4.3.4 third bullet: neither validator, and only one stored response that
  // lacks both too.
  if (stored.size() == 1 && stored[0]->etag.empty() && !stored[0]->last_modified) out.push_back(0);
  return out;
}

void merge_not_modified(std::vector<StoredField>& stored, Fields not_modified) {
  std::vector<std::string> keep = {"content-length", "content-encoding", "content-range", "content-type"};
  hop_by_hop_fields(not_modified, keep);
  auto kept = [&](std::string_view name) {
    return std::any_of(keep.begin(), keep.end(), [&](const std::string& k) { return http::equals_ignore_case(k, name); });
  };
  std::vector<std::string_view> replaced;
  for (const FieldView& f : not_modified) {
    if (kept(f.name)) continue;
    const bool first_of_name = std::none_of(replaced.begin(), replaced.end(), [&](std::string_view r) {
      return http::equals_ignore_case(r, f.name);
    });
    if (first_of_name) {
      std::erase_if(stored, [&](const StoredField& s) { return http::equals_ignore_case(s.name, f.name); });
      replaced.push_back(f.name);
    }
    stored.push_back({std::string(f.name), std::string(http::trim_ows(f.value))});
  }
}

bool head_invalidates(const ResponseFacts& head, const ResponseFacts& stored) {
  if (head.content_length && stored.content_length && *head.content_length != *stored.content_length) return true;
  if (!head.etag.empty() && head.etag != stored.etag) return true;
  return head.last_modified && head.last_modified != stored.last_modified;
}

}  // namespace relais::freshness
