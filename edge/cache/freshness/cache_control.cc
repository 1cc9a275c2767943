#include "edge/cache/freshness/cache_control.h"

#include <string>

#include "edge/cache/freshness/field_list.h"
#include "edge/cache/freshness/structured_dictionary.h"
#include "edge/http/ascii_case.h"

namespace relais::freshness {
namespace {

// Stands for an argument that is no valid token or quoted-string.
constexpr std::string_view kBadValue = "\x01";

bool is_tchar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~': return true;
    default: return false;
  }
}

// delta-seconds (§1.2.2): 1*DIGIT, capped at 2^31; nullopt if not digits.
std::optional<std::int64_t> delta_seconds(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    if (v < kDeltaSecondsCap) v = v * 10 + (c - '0');
  }
  return v < kDeltaSecondsCap ? v : kDeltaSecondsCap;
}

// quoted-string (§5.6.4) without its quotes and escapes; nullopt if malformed.
std::optional<std::string> unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::nullopt;
  std::string out;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '"') return std::nullopt;
    if (s[i] == '\\') {
      if (++i + 1 >= s.size()) return std::nullopt;
    }
    out.push_back(s[i]);
  }
  return out;
}

void field_names(std::string_view list, std::vector<std::string>& out) {
  for_each_list_element(list, [&](std::string_view name) {
    if (is_token(name)) out.push_back(ascii_lowercase(name));
  });
}

// A directive with its (unquoted) argument; d accumulates across lines, so a
// directive seen twice is a duplicate wherever the second one came from.
void apply(std::string_view name, std::optional<std::string_view> arg, CacheDirectives& d) {
  auto seconds = [&](std::optional<std::int64_t>& slot, bool* invalid) {
    const std::optional<std::int64_t> v = arg ? delta_seconds(*arg) : std::nullopt;
    if (!v) {
      // §4.2.1: invalid freshness information makes the response stale; for the
      // other delta-seconds directives an invalid value is ignored (§5.2).
      if (invalid) *invalid = true;
      return;
    }
    if (slot && *slot != *v) {
      if (invalid) *invalid = true;  // §4.2.1: duplicates, "considered stale"
      if (*v < *slot) slot = v;                   // otherwise the most restrictive
      return;
    }
    slot = v;
  };
  if (name == "max-age") seconds(d.max_age, &d.max_age_invalid);
  else if (name == "s-maxage") seconds(d.s_maxage, &d.s_maxage_invalid);
  else if (name == "stale-while-revalidate") seconds(d.stale_while_revalidate, nullptr);
  else if (name == "stale-if-error") seconds(d.stale_if_error, nullptr);
  else if (name == "min-fresh") seconds(d.min_fresh, nullptr);
  else if (name == "max-stale") {
    if (!arg) d.max_stale_any = true;
    else seconds(d.max_stale, nullptr);
  } else if (name == "no-store") d.no_store = true;
  else if (name == "no-cache") {
    // §5.2.2.4: the qualified form lists fields; quoted is what senders SHOULD
    // use, the token form is accepted too.
    // A malformed list is read as the unqualified, stricter form.
    if (arg && !arg->empty() && *arg != kBadValue) field_names(*arg, d.no_cache_fields);
    else d.no_cache = true;
  } else if (name == "private") {
    if (arg && !arg->empty() && *arg != kBadValue) field_names(*arg, d.private_fields);
    else d.private_ = true;
  } else if (name == "public") d.public_ = true;
  else if (name == "must-revalidate") d.must_revalidate = true;
  else if (name == "proxy-revalidate") d.proxy_revalidate = true;
  else if (name == "must-understand") d.must_understand = true;
  else if (name == "only-if-cached") d.only_if_cached = true;
  else if (name == "no-transform") d.no_transform = true;
  else if (name == "immutable") d.immutable = true;
  else return;  // §5.2.3: unknown extensions are ignored
  d.any = true;
}

}  // namespace

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

void parse_cache_control(std::string_view value, CacheDirectives& out) {
  for_each_list_element(value, [&](std::string_view element) {
    const std::size_t eq = element.find('=');
    const std::string_view raw_name = element.substr(0, eq);
    if (!is_token(raw_name)) return;  // not a directive: skipped
    const std::string name = ascii_lowercase(raw_name);
    if (eq == std::string_view::npos) {
      apply(name, std::nullopt, out);
      return;
    }
    const std::string_view raw_arg = element.substr(eq + 1);
    if (!raw_arg.empty() && raw_arg.front() == '"') {
      const std::optional<std::string> arg = unquote(raw_arg);
      if (!arg) {
        apply(name, kBadValue, out);  // a value no directive accepts
        return;
      }
      apply(name, std::string_view(*arg), out);
      return;
    }
    // An empty or non-token argument ("max-age=", "max-age= 5") is a bad value.
    apply(name, is_token(raw_arg) ? raw_arg : kBadValue, out);
  });
}

}  // namespace relais::freshness

namespace relais::freshness {

bool parse_targeted_cache_control(std::string_view value, CacheDirectives& out) {
  const std::optional<std::vector<SfMember>> members = parse_sf_dictionary(value);
  if (!members) return false;
  CacheDirectives d;
  for (const SfMember& m : *members) {
    switch (m.type) {
      case SfMember::Type::boolean:
        if (m.boolean) apply(m.key, std::nullopt, d);  // "no-store=?0" is no directive at all
        break;
      case SfMember::Type::integer:
        apply(m.key, std::string_view(m.text), d);  // a negative one fails delta-seconds
        break;
      case SfMember::Type::string:
        // Only the field-name lists of no-cache and private take a string.
        apply(m.key, (m.key == "no-cache" || m.key == "private") ? std::string_view(m.text) : kBadValue, d);
        break;
      default:
        apply(m.key, kBadValue, d);
        break;
    }
  }
  out = std::move(d);
  return true;
}

}  // namespace relais::freshness
