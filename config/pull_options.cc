#include "config/pull_options.h"

#include "config/option_parsing.h"

namespace relais {
namespace {

// Scheme and authority only: a path would be joined to every request's path
// in ways an operator cannot see; userinfo would put a secret in every log.
bool is_base_url(const std::string& url) {
  std::string rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return false;
  }
  return !rest.empty() && rest.find_first_of("/?#@ \t\\") == std::string::npos && !has_control_byte(rest);
}

}  // namespace

std::optional<CliOutcome> check_pull_keys(const std::string& prefix, const std::string& mode,
                                          const std::string& origin_url, const std::vector<std::string>& pull_prefixes) {
  auto usage = [&prefix](const char* key, const std::string& what) { return CliOutcome::usage("--" + prefix + key + ": " + what); };
  if (mode != "manifest" && mode != "pull" && mode != "both")
    return usage("mode", "'" + mode + "' is not manifest, pull or both");
  if (!origin_url.empty() && !is_base_url(origin_url))
    return usage("origin-url", "'" + origin_url + "' is not an http:// or https:// base URL (scheme and host[:port] only)");
  if (mode != "manifest" && origin_url.empty()) return usage("origin-url", "needed with mode = " + mode);
  for (const std::string& p : pull_prefixes) {
    if (p.empty() || p[0] != '/' || p.find_first_of(" \t") != std::string::npos || has_control_byte(p))
      return usage("pull-prefix", "'" + p + "' is not a path prefix starting with /");
    if (mode != "both") return usage("pull-prefix", "only with mode = both (pull sends every path to the origin)");
  }
  return std::nullopt;
}

}  // namespace relais
