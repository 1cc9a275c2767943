#include "edge/cache/freshness/invalidation.h"

#include <algorithm>
#include <optional>

#include "edge/http/ascii_case.h"
#include "edge/http/whitespace.h"

namespace relais::freshness {
namespace {

std::string_view default_port(std::string_view scheme) {
  return http::equals_ignore_case(scheme, "https") ? "443" : "80";
}

// host[:port] equal, case-insensitively, with the scheme's default port implied.
bool same_authority(std::string_view a, std::string_view b, std::string_view scheme) {
  auto split = [&](std::string_view s) {
    const std::size_t colon = s.rfind(':');
    if (colon == std::string_view::npos || s.find(']', colon) != std::string_view::npos) {
      return std::pair{s, default_port(scheme)};
    }
    return std::pair{s.substr(0, colon), s.substr(colon + 1)};
  };
  const auto [ha, pa] = split(a);
  const auto [hb, pb] = split(b);
  return http::equals_ignore_case(ha, hb) && pa == pb;
}

// The path a URI reference designates on the request's origin, or nullopt if
// it designates another origin or is unusable.
std::optional<std::string> same_origin_path(std::string_view ref, const OriginOfRequest& request) {
  ref = http::trim_ows(ref);
  if (ref.empty()) return std::nullopt;
  const std::size_t fragment = ref.find('#');
  if (fragment != std::string_view::npos) ref = ref.substr(0, fragment);
  const std::size_t scheme_end = ref.find("://");
  const std::size_t first_slash = ref.find('/');
  if (scheme_end != std::string_view::npos && scheme_end < first_slash) {
    if (!http::equals_ignore_case(ref.substr(0, scheme_end), request.scheme)) return std::nullopt;
    ref.remove_prefix(scheme_end + 1);  // now "//authority/path"
  }
  if (ref.starts_with("//")) {
    ref.remove_prefix(2);
    const std::size_t path_start = std::min(ref.find('/'), ref.find('?'));
    const std::string_view authority = ref.substr(0, path_start);
    if (!same_authority(authority, request.authority, request.scheme)) return std::nullopt;
    if (path_start == std::string_view::npos) return std::string("/");
    const std::string_view rest = ref.substr(path_start);
    return rest.front() == '?' ? "/" + std::string(rest) : std::string(rest);
  }
  if (ref.front() == '/') return std::string(ref);
  if (ref.find(':') < ref.find('/')) return std::nullopt;  // another scheme ("mailto:")
  // A relative path: merged with the target's directory (RFC 3986 §5.2.3).
  std::string_view base = request.path.substr(0, request.path.find('?'));
  base = base.substr(0, base.rfind('/') + 1);
  return std::string(base) + std::string(ref);
}

}  // namespace

bool is_safe_method(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE";
}

std::vector<std::string> invalidated_paths(std::string_view method, int status, const OriginOfRequest& request,
                                           std::string_view location, std::string_view content_location) {
  std::vector<std::string> out;
  if (is_safe_method(method) || status < 200 || status > 399) return out;
  out.emplace_back(request.path);
  for (std::string_view ref : {location, content_location}) {
    std::optional<std::string> path = same_origin_path(ref, request);
    if (path && std::find(out.begin(), out.end(), *path) == out.end()) out.push_back(std::move(*path));
  }
  return out;
}

}  // namespace relais::freshness
