// SiteTable: which configured site a request belongs to, from its Host (or
// HTTP/2 :authority) and, on HTTPS, the connection's SNI name.
//
// Built once per configuration (start-up, SIGHUP) and then read-only, shared
// by every worker through LiveSettings. A site is an index into the server's
// site list (edge/server/site.h); this table knows only names and patterns.
//
// Patterns: an exact name ("cours.example") or a wildcard ("*.ent.example")
// that matches any name ending in ".ent.example" (one label or more, never
// "ent.example" itself). Exact names win over wildcards; among wildcards the
// longest suffix wins, so "*.lyon.ent.example" beats "*.ent.example".
// Matching is case-insensitive, ignores a port and one trailing dot, and
// allocates nothing.
//
// Routing (route()): a name no pattern matches goes to the default site if
// one is configured, else it is refused: 421 on HTTPS, 404 on plain HTTP; a
// request never gets another site's content. On HTTPS, an SNI name and a
// Host that lead to different sites are refused with 421 (RFC 9110
// §15.5.20): the connection was set up, and its certificate chosen, for
// another site. A table with no patterns and site 0 as default (the edge
// without [site.*] sections) sends everything to site 0.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "origin-sync/result.h"

namespace relais {

using SiteIndex = std::uint16_t;
inline constexpr SiteIndex kNoSite = 0xffff;
// Sites on one edge: bounds the metrics' `site` label and the per-worker
// state (a blob store and a catalog reference per site and worker).
inline constexpr std::size_t kMaxSites = 1024;

struct SiteRoute {
  SiteIndex site = kNoSite;
  std::uint16_t refuse = 0;  // 404 or 421 when no site may answer; site is then kNoSite
};

class SiteTable {
 public:
  // Everything to site 0: the edge without site sections.
  static SiteTable single();

  // Adds one host pattern of `site`. Errors: not a host name, or a pattern
  // another site already has (two sites cannot both own a name).
  Status add(std::string_view pattern, SiteIndex site);
  void set_default(SiteIndex site) { default_ = site; }
  SiteIndex default_site() const { return default_; }

  // The site `host` maps to (port and trailing dot ignored), else the
  // default site, else kNoSite.
  SiteIndex resolve(std::string_view host) const;
  // The site that answers a request, or the status that refuses it. `sni`:
  // the TLS server name, empty when the client sent none or on plain HTTP.
  // `host` empty (an HTTP/1.0 request without Host): on TLS the SNI name
  // picks the site, on plain HTTP the default site answers, if any.
  SiteRoute route(std::string_view host, std::string_view sni, bool tls) const;

 private:
  // Exact and wildcard names, lower case, without "*." (wildcards keep the
  // leading dot: ".ent.example").
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, SiteIndex, Hash, std::equal_to<>> exact_;
  std::unordered_map<std::string, SiteIndex, Hash, std::equal_to<>> suffixes_;
  SiteIndex default_ = kNoSite;
};

// Host name of a Host header or SNI value, lower case, without the port and
// the trailing dot, into `out` (255 bytes, the DNS limit). Empty if it does
// not fit.
std::string_view normalise_host(std::string_view host, char (&out)[256]);

// A host pattern as configured: "name.example" or "*.name.example"; letters,
// digits, '-' and '.' only, no empty label. Returns why not, or empty.
std::string host_pattern_problem(std::string_view pattern);

}  // namespace relais
