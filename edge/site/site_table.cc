#include "edge/site/site_table.h"

namespace relais {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

}  // namespace

std::string_view normalise_host(std::string_view host, char (&out)[256]) {
  if (!host.empty() && host.front() == '[') {
    // IPv6 literal (RFC 3986 §3.2.2): the port follows the bracket.
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos) return {};
    host = host.substr(0, close + 1);
  } else if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);  // "a.example." is "a.example"
  if (host.size() >= sizeof out) return {};
  for (std::size_t i = 0; i < host.size(); ++i) out[i] = lower(host[i]);
  return std::string_view(out, host.size());
}

std::string host_pattern_problem(std::string_view pattern) {
  std::string_view name = pattern;
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (name.empty()) return "is empty";
  if (name.size() > 253) return "is longer than a host name may be";
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return "has an empty label";
      label = 0;
    } else if (!label_char(c)) {
      return c == '*' ? "has '*' elsewhere than a leading '*.'" : "is not a host name (letters, digits, '-', '.')";
    } else {
      ++label;
    }
  }
  if (label == 0) return "has an empty label";
  return {};
}

SiteTable SiteTable::single() {
  SiteTable t;
  t.default_ = 0;
  return t;
}

Status SiteTable::add(std::string_view pattern, SiteIndex site) {
  if (std::string why = host_pattern_problem(pattern); !why.empty())
    return Error::config("host '" + std::string(pattern) + "' " + why);
  const bool wildcard = pattern.starts_with("*.");
  std::string key(wildcard ? pattern.substr(1) : pattern);
  for (char& c : key) c = lower(c);
  auto& map = wildcard ? suffixes_ : exact_;
  auto [at, inserted] = map.emplace(std::move(key), site);
  if (!inserted && at->second != site)
    return Error::config("host '" + std::string(pattern) + "' belongs to two sites");
  return {};
}

SiteIndex SiteTable::resolve(std::string_view host) const {
  // The edge without sections: no copy, no lookup on the hot path.
  if (exact_.empty() && suffixes_.empty()) return default_;
  char buffer[256];
  const std::string_view name = normalise_host(host, buffer);
  if (!name.empty()) {
    if (auto at = exact_.find(name); at != exact_.end()) return at->second;
    if (!suffixes_.empty()) {
      // Longest suffix first: ".lyon.ent.example" before ".ent.example".
      for (std::size_t dot = name.find('.', 1); dot != std::string_view::npos; dot = name.find('.', dot + 1)) {
        if (auto at = suffixes_.find(name.substr(dot)); at != suffixes_.end()) return at->second;
      }
    }
  }
  return default_;
}

SiteRoute SiteTable::route(std::string_view host, std::string_view sni, bool tls) const {
  // Only HTTP/1.0 comes without a host (the HTTP/1.1 parser and HTTP/2 refuse
  // that): on TLS its SNI name is the one name the client gave.
  if (host.empty() && tls) host = sni;
  const SiteIndex site = resolve(host);
  if (site == kNoSite) return {kNoSite, static_cast<std::uint16_t>(tls ? 421 : 404)};
  // RFC 9110 §15.5.20: the connection (and its certificate) belongs to the
  // site of its SNI name; a Host of another site is misdirected there.
  if (tls && !sni.empty() && resolve(sni) != site) return {kNoSite, 421};
  return {site, 0};
}

}  // namespace relais
