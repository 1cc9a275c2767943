#include "config/pull_options.h"

#include "config/option_parsing.h"
#include "config/units.h"

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
  if (rest.empty() || rest.find_first_of("/?#@ \t\\") != std::string::npos || has_control_byte(rest)) return false;
  // host[:port], the host an IPv6 literal in brackets or a name without
  // any, the port 1-65535: else the edge started and failed every request.
  std::string_view authority = rest, port;
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && (after.front() != ':' || after.size() == 1)) return false;
    if (!after.empty()) port = after.substr(1);
  } else {
    const std::size_t colon = authority.find(':');
    if (colon == 0 || authority.find_first_of("[]") != std::string_view::npos) return false;
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return false;
    }
  }
  if (port.empty()) return true;
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) return false;
  const int number = std::stoi(std::string(port));
  return number >= 1 && number <= 65535;
}

}  // namespace

std::optional<CliOutcome> check_health_probe(const std::string& path, std::uint64_t interval_ms, std::uint64_t timeout_ms) {
  if (path.empty()) return std::nullopt;
  // The probe's request line is built like a client fetch's (origin_request.h):
  // origin-form, no "//" start (it would read as an authority), no spaces.
  if (path[0] != '/' || path.starts_with("//") || path.size() > kMaxHealthPathBytes ||
      path.find_first_of(" \t#") != std::string::npos || has_control_byte(path))
    return CliOutcome::usage("--pull-health-path: '" + path + "' is not a path starting with / (at most " +
                             std::to_string(kMaxHealthPathBytes) + " bytes, no spaces, no #)");
  if (timeout_ms >= interval_ms)
    return CliOutcome::usage("--pull-health-timeout: " + format_duration_ms(timeout_ms) +
                             " must be less than --pull-health-interval (" + format_duration_ms(interval_ms) + ")");
  return std::nullopt;
}

std::vector<std::string> origin_url_lines(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const std::string& line : lines) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::optional<CliOutcome> check_pull_query(const std::string& prefix, const std::string& value) {
  if (value == "whole" || value == "keys") return std::nullopt;
  return CliOutcome::usage("--" + prefix + "pull-query: '" + value + "' is not whole or keys");
}

std::optional<CliOutcome> check_pull_keys(const std::string& prefix, const std::string& mode,
                                          const std::vector<std::string>& origin_urls,
                                          const std::vector<std::string>& pull_prefixes) {
  auto usage = [&prefix](const char* key, const std::string& what) { return CliOutcome::usage("--" + prefix + key + ": " + what); };
  if (mode != "manifest" && mode != "pull" && mode != "both")
    return usage("mode", "'" + mode + "' is not manifest, pull or both");
  if (origin_urls.size() > kMaxOriginUrls)
    return usage("origin-url", "at most " + std::to_string(kMaxOriginUrls) + " origins, " +
                                   std::to_string(origin_urls.size()) + " given");
  for (std::size_t i = 0; i < origin_urls.size(); ++i) {
    const std::string& url = origin_urls[i];
    if (!is_base_url(url))
      return usage("origin-url", "'" + url + "' is not an http:// or https:// base URL (scheme and host[:port] only)");
    // One health state per URL: a second line would only try it twice.
    for (std::size_t j = 0; j < i; ++j) {
      if (origin_urls[j] == url) return usage("origin-url", "'" + url + "' is listed twice");
    }
  }
  if (mode != "manifest" && origin_urls.empty()) return usage("origin-url", "needed with mode = " + mode);
  for (const std::string& p : pull_prefixes) {
    if (p.empty() || p[0] != '/' || p.find_first_of(" \t") != std::string::npos || has_control_byte(p))
      return usage("pull-prefix", "'" + p + "' is not a path prefix starting with /");
    if (mode != "both") return usage("pull-prefix", "only with mode = both (pull sends every path to the origin)");
  }
  return std::nullopt;
}

}  // namespace relais
