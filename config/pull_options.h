// The pull-through keys of a site (global for the implicit site, or in a
// [site.NAME] section): mode, origin-url, pull-prefix (docs/PULL_THROUGH.md).
// Checked here once for both places, so an error reads the same:
//   --site.cms.origin-url: 'ftp://x' is not an http:// or https:// base URL (scheme and host[:port] only)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/cli_outcome.h"

namespace relais {

// prefix: "" for the global keys, "site.NAME." in a section.
std::optional<CliOutcome> check_pull_keys(const std::string& prefix, const std::string& mode,
                                          const std::string& origin_url, const std::vector<std::string>& pull_prefixes);

}  // namespace relais
