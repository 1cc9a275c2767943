// Conditional requests (RFC 9110 §13). See preconditions.h.
#include "edge/http/preconditions.h"
#include "edge/http/whitespace.h"

#include <optional>

#include "edge/http/http_date.h"

namespace relais::http {
namespace {



// entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE ; etagc = %x21 / %x23-7E / obs-text
struct ETag {
  bool valid = false;
  bool weak = false;
  std::string_view opaque;  // including the quotes
};

ETag parse_etag(std::string_view s) {
  ETag t;
  if (s.size() >= 2 && s[0] == 'W' && s[1] == '/') {
    t.weak = true;
    s.remove_prefix(2);
  }
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return t;
  for (char c : s.substr(1, s.size() - 2)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == '"' || u == 0x7F) return t;
  }
  t.valid = true;
  t.opaque = s;
  return t;
}

// Calls fn on each entity-tag of a list until it returns true. etagc allows
// ',', so the split honours quotes. Returns false if the list is malformed.
template <typename Fn>
bool for_each_etag(std::string_view list, Fn&& fn) {
  std::size_t i = 0;
  while (i <= list.size()) {
    std::size_t j = i;
    bool quoted = false;
    while (j < list.size() && (quoted || list[j] != ',')) {
      if (list[j] == '"') quoted = !quoted;
      ++j;
    }
    if (quoted) return false;
    const std::string_view element = trim_ows(list.substr(i, j - i));
    if (!element.empty()) {  // empty elements are allowed (§5.6.1)
      const ETag t = parse_etag(element);
      if (!t.valid) return false;
      if (fn(t)) return true;
    }
    i = j + 1;
  }
  return false;
}

bool is_get_or_head(const Request& r) { return r.method == Method::get || r.method == Method::head; }

}  // namespace

bool etag_strong_match(std::string_view a, std::string_view b) {
  const ETag x = parse_etag(a);
  const ETag y = parse_etag(b);
  return x.valid && y.valid && !x.weak && !y.weak && x.opaque == y.opaque;
}

bool etag_weak_match(std::string_view a, std::string_view b) {
  const ETag x = parse_etag(a);
  const ETag y = parse_etag(b);
  return x.valid && y.valid && x.opaque == y.opaque;
}

bool etag_list_matches(std::string_view list, std::string_view etag, bool weak) {
  list = trim_ows(list);
  if (list == "*") return true;
  const ETag ours = parse_etag(etag);
  if (!ours.valid) return false;
  return for_each_etag(list, [&](const ETag& t) {
    if (!weak && (t.weak || ours.weak)) return false;
    return t.opaque == ours.opaque;
  });
}

Precondition evaluate_preconditions(const Request& request, const Validators& validators) {
  // §13.2.2 steps 1-2: a client updating what it last saw must not act on a newer version.
  if (!request.if_match.empty()) {
    if (!etag_list_matches(request.if_match, validators.etag, /*weak=*/false)) return Precondition::failed;
  } else if (!request.if_unmodified_since.empty()) {
    const std::optional<std::int64_t> date = parse_http_date(trim_ows(request.if_unmodified_since));
    if (date && validators.last_modified > *date) return Precondition::failed;
  }
  // §13.2.2 steps 3-4: a cache revalidating what it holds.
  if (!request.if_none_match.empty()) {
    if (etag_list_matches(request.if_none_match, validators.etag, /*weak=*/true)) {
      return is_get_or_head(request) ? Precondition::not_modified : Precondition::failed;
    }
  } else if (!request.if_modified_since.empty() && is_get_or_head(request)) {
    const std::optional<std::int64_t> date = parse_http_date(trim_ows(request.if_modified_since));
    if (date && validators.modified_since_reference <= *date) return Precondition::not_modified;
  }
  return Precondition::proceed;
}

bool if_range_allows(std::string_view if_range, const Validators& validators) {
  if_range = trim_ows(if_range);
  if (if_range.empty()) return true;
  // §13.1.5: an entity-tag (it starts with a quote or "W/") must match
  // strongly, so a weak tag never does; otherwise it is an HTTP-date.
  if (if_range.front() == '"' || if_range.starts_with("W/")) {
    return etag_strong_match(if_range, validators.etag);
  }
  const std::optional<std::int64_t> date = parse_http_date(if_range);
  return date && *date == validators.last_modified;
}

}  // namespace relais::http
