// The pull-through keys of a site (global for the implicit site, or in a
// [site.NAME] section): mode, origin-url (repeatable: the origins in order of
// preference, at most kMaxOriginUrls), pull-prefix (docs/PULL_THROUGH.md).
// Checked here once for both places, so an error reads the same:
//   --site.cms.origin-url: 'ftp://x' is not an http:// or https:// base URL (scheme and host[:port] only)
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/cli_outcome.h"

namespace relais {

// Origins per site: a fetch tries each at most once (edge/upstream/origin_health.h, kMaxOrigins).
inline constexpr std::size_t kMaxOriginUrls = 16;

// prefix: "" for the global keys, "site.NAME." in a section.
std::optional<CliOutcome> check_pull_keys(const std::string& prefix, const std::string& mode,
                                          const std::vector<std::string>& origin_urls,
                                          const std::vector<std::string>& pull_prefixes);

// pull-query: "whole" (the request's query is part of a pulled object's key
// and goes to the origin) or "keys" (only the query-key parameters do).
std::optional<CliOutcome> check_pull_query(const std::string& prefix, const std::string& value);

// pull-health-path (empty: no probes; else an origin-form path of at most
// kMaxHealthPathBytes) and, with a path, pull-health-timeout < pull-health-interval
// (a probe ends before the next one starts).
inline constexpr std::size_t kMaxHealthPathBytes = 1024;
std::optional<CliOutcome> check_health_probe(const std::string& path, std::uint64_t interval_ms, std::uint64_t timeout_ms);

// The origin-url lines as given, empty ones dropped (an empty line names none, as before).
std::vector<std::string> origin_url_lines(const std::vector<std::string>& lines);

}  // namespace relais
